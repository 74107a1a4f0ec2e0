package dev.mooring.k8s.cli;

import dev.mooring.k8s.apply.FileTree;
import dev.mooring.k8s.apply.OverlayWait;
import dev.mooring.k8s.apply.SystemdReload;
import dev.mooring.k8s.cluster.ClusterFile;
import dev.mooring.k8s.cluster.ClusterFileException;
import dev.mooring.k8s.cluster.ClusterFileParser;
import dev.mooring.k8s.render.OverlayView;
import dev.mooring.k8s.render.PrepareException;
import dev.mooring.k8s.render.PrepareInput;
import dev.mooring.k8s.render.Rendered;
import dev.mooring.k8s.render.Renderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mooring k8s prepare}. Exit codes: 0 written (or already right), 1 the cluster file or the
 * overlay status do not allow a configuration (nothing written), 2 usage error, 3 a file could not
 * be read or written, 4 the overlay was not ready within {@code --timeout} (nothing written).
 */
@Command(name = "k8s", mixinStandardHelpOptions = true,
        description = "Kubernetes (k3s, kubeadm) and etcd configuration bound to the overlay.",
        subcommands = {K8sCommand.Prepare.class})
public final class K8sCommand implements Callable<Integer> {

    public static final int OK = 0;
    public static final int INVALID = 1;
    public static final int USAGE = 2;
    public static final int FAILED = 3;
    public static final int NOT_READY = 4;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new K8sCommand()).execute(args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = {"Waits until the overlay is ready, then writes the configuration of the distribution named in the"
                    + " cluster file (k3s config.yaml, kubeadm's init or join configuration, or etcd's /etc/default/etcd),"
                    + " bound to this host's overlay address, and systemd drop-ins that start it after the overlay.",
                    "Files already right are not touched; every write is atomic."})
    public static final class Prepare implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--root", paramLabel = "DIR", defaultValue = "/",
                description = "Write under DIR instead of / (an image's root file system); the default --cluster and --status are read under it too.")
        Path root;

        @Option(names = "--cluster", paramLabel = "FILE", description = "The cluster file (default: /etc/mooring/cluster.yaml).")
        Path clusterFile;

        @Option(names = "--status", paramLabel = "FILE", description = "The overlay status file (default: /run/mooring/overlay.json).")
        Path statusFile;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
                description = "How long to wait for the overlay to be ready, e.g. 30s, 5m (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        private final Function<Path, SystemdReload> reloads;

        public Prepare() {
            this(SystemdReload::forRoot);
        }

        /** @param reloads the systemd reload for a root (tests pass one that records the call) */
        public Prepare(Function<Path, SystemdReload> reloads) {
            this.reloads = reloads;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            FileTree tree = new FileTree(root);
            Path cluster = clusterFile != null ? clusterFile : tree.resolve(Path.of("/etc/mooring/cluster.yaml"));
            Path status = statusFile != null ? statusFile : tree.resolve(Path.of("/run/mooring/overlay.json"));
            try {
                ClusterFile file = ClusterFileParser.read(cluster);
                OverlayView overlay = OverlayWait.await(status, file, timeout);
                Path dataDir = PrepareInput.DEFAULT_ETCD_DATA_DIR;
                boolean hasMember = Files.isDirectory(tree.resolve(dataDir).resolve("member"));
                List<Rendered> rendered = Renderer.render(new PrepareInput(file, overlay, new PrepareInput.EtcdData(dataDir, hasMember)));
                List<FileTree.Change> changes = tree.apply(rendered);
                changes.forEach(c -> out.println(c));
                if (rendered.isEmpty()) {
                    out.println("nothing to prepare: a worker of an etcd-only cluster runs no etcd member");
                }
                boolean unitsChanged = changes.stream().anyMatch(c -> c.outcome() != FileTree.Outcome.UNCHANGED
                        && c.path().startsWith("/etc/systemd/system"));
                if (unitsChanged) {
                    out.println(reloads.apply(root).reload());
                }
                out.flush();
                return OK;
            } catch (NoSuchFileException e) {
                err.println("mooring k8s prepare: " + e.getFile() + " does not exist"
                        + (e.getFile() != null && e.getFile().endsWith("cluster.yaml")
                        ? "; first boot writes it from the user-data's mooring.kubernetes section (docs/contracts.md)" : ""));
                return INVALID;
            } catch (ClusterFileException | PrepareException e) {
                err.println("mooring k8s prepare: " + e.getMessage() + "; nothing was written");
                return INVALID;
            } catch (OverlayWait.NotReadyException e) {
                err.println("mooring k8s prepare: " + e.getMessage() + "; nothing was written");
                return NOT_READY;
            } catch (IOException e) {
                err.println("mooring k8s prepare: " + e.getMessage());
                return FAILED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("mooring k8s prepare: interrupted");
                return FAILED;
            }
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Matcher m = FORM.matcher(value);
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; write e.g. 30s, 5m or 1h");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
    }
}
