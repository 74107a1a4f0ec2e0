package dev.mooring.overlay.cli;

import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.config.OverlayConfigException;
import dev.mooring.overlay.config.OverlayConfigLoader;
import dev.mooring.overlay.identity.IdentityException;
import dev.mooring.overlay.kernel.Kernel;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.kernel.NetlinkKernel;
import dev.mooring.overlay.kernel.OpenOnFirstUse;
import dev.mooring.overlay.netlink.ErrnoException;
import dev.mooring.overlay.reconcile.Planner;
import dev.mooring.overlay.reconcile.Reconciler;
import dev.mooring.overlay.reconcile.UnderlayException;
import dev.mooring.overlay.service.OverlayService;
import dev.mooring.overlay.service.OverlayStatus;
import dev.mooring.overlay.service.SystemdNotifier;
import dev.mooring.overlay.vip.GratuitousArpSender;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mooring overlay run|status|down}. Exit codes: 0 done, 1 the configuration or the host's
 * networks do not allow the overlay (nothing changed), 2 usage error, 3 the kernel or a file
 * refused an operation (e.g. EPERM without CAP_NET_ADMIN).
 */
@Command(name = "overlay", mixinStandardHelpOptions = true,
        description = "The VXLAN overlay: bridge mooring0 with this host's stable overlay address.",
        subcommands = {OverlayCommand.Run.class, OverlayCommand.Status.class, OverlayCommand.Down.class})
public final class OverlayCommand implements Callable<Integer> {

    public static final int OK = 0;
    public static final int INVALID = 1;
    public static final int USAGE = 2;
    public static final int FAILED = 3;
    /** Releasing the VIP and the leaving announcements take milliseconds; this bounds a stuck stop. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /** Opens the kernel the commands act on: rtnetlink in production, an in-memory kernel in tests. */
    @FunctionalInterface
    public interface KernelOpener {
        Kernel open() throws KernelException;
    }

    private final KernelOpener kernels;
    private final OverlayService.ArpOpener arp;

    @Spec
    CommandSpec spec;

    public OverlayCommand() {
        this(NetlinkKernel::open, GratuitousArpSender::open);
    }

    /**
     * @param arp opens the gratuitous ARP sender for the VIP (AF_PACKET in production)
     */
    public OverlayCommand(KernelOpener kernels, OverlayService.ArpOpener arp) {
        this.kernels = kernels;
        this.arp = arp;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new OverlayCommand()).execute(args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    private static PrintWriter err(CommandSpec spec) {
        return spec.commandLine().getErr();
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Bring the overlay up and keep it right (the mooring-overlay service). "
                    + "Stopping it leaves the overlay in place.")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        OverlayCommand parent;
        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "overlay.yaml (default: ${DEFAULT-VALUE})")
        Path config = OverlayConfig.DEFAULT_PATH;

        @Override
        public Integer call() {
            return runService(config, parent.kernels, parent.arp, err(spec));
        }
    }

    /**
     * The configuration file named by {@code overlay run}'s arguments (those after {@code run})
     * when they are what the service's unit passes: none, {@code --config FILE} or
     * {@code --config=FILE}. Anything else is empty, and goes to picocli with its help and
     * errors. Lets {@code mooring overlay run} start the service without building any command
     * model: picocli's reflection over the annotations is about 150 ms of the service's start.
     */
    public static Optional<Path> serviceConfig(List<String> args) {
        String file = switch (args.size()) {
            case 0 -> OverlayConfig.DEFAULT_PATH.toString();
            case 1 -> args.get(0).startsWith("--config=") ? args.get(0).substring("--config=".length()) : null;
            case 2 -> args.get(0).equals("--config") ? args.get(1) : null;
            default -> null;
        };
        return file == null || file.isEmpty() || file.startsWith("-") ? Optional.empty() : Optional.of(Path.of(file));
    }

    /**
     * Runs the overlay service on {@code config} until it is stopped, as {@code mooring overlay
     * run} does, with the production kernel and ARP sender; failures are reported on {@code err}
     * and in the exit status (see the class comment).
     */
    public static int runService(Path config, PrintWriter err) {
        return runService(config, NetlinkKernel::open, GratuitousArpSender::open, err);
    }

    private static int runService(Path config, KernelOpener kernels, OverlayService.ArpOpener arp, PrintWriter err) {
        OverlayConfig cfg;
        try {
            cfg = OverlayConfigLoader.load(config);
        } catch (OverlayConfigException e) {
            err.println(e.getMessage());
            err.flush();
            return INVALID;
        }
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment();
        if (!cfg.overlay().enabled()) {
            err.println("mooring-overlay: the overlay is disabled in " + config + " (overlay.enabled: false); nothing to do");
            try {
                // A Type=notify unit waits for READY even from a service with nothing to do.
                notifier.notify("READY=1\nSTATUS=overlay disabled");
            } catch (ErrnoException e) {
                err.println("mooring-overlay: cannot notify systemd: " + e.getMessage());
            }
            return OK;
        }
        // Opened at its first use, after the identity checks: those overlap the warm-up's FFM linking.
        try (Kernel kernel = new OpenOnFirstUse(kernels::open)) {
            OverlayService service = new OverlayService(cfg, kernel, arp, notifier, Clock.systemUTC(),
                    OverlayService.RESYNC, line -> {
                        err.println("mooring-overlay: " + line);
                        err.flush();
                    });
            Thread hook = new Thread(() -> service.stop(STOP_WAIT), "mooring-overlay-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                service.run();
            } finally {
                removeHook(hook);
            }
            return OK;
        } catch (UnderlayException e) {
            err.println("mooring-overlay: " + e.getMessage() + " (" + config + "; nothing was changed)");
            return INVALID;
        } catch (IdentityException.Conflict e) {
            err.println("mooring-overlay: " + e.getMessage() + "; nothing was changed");
            return INVALID;
        } catch (IdentityException e) {
            err.println("mooring-overlay: " + e.getMessage() + "; nothing was changed");
            return FAILED;
        } catch (Reconciler.ApplyException e) {
            // The kernel's message names the operation and the errno.
            err.println("mooring-overlay: " + e.getMessage() + permissionHint(e.errno(), e.getMessage())
                    + (e.applied().isEmpty() ? "; nothing was changed" : "; the devices it had created were removed again"));
            return FAILED;
        } catch (KernelException | IOException e) {
            err.println("mooring-overlay: " + e.getMessage());
            return FAILED;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the overlay service's status file.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        StatusFileOptions file;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE})")
        Format output = Format.text;

        enum Format { text, json }

        @Override
        public Integer call() {
            PrintWriter err = err(spec);
            Path path;
            try {
                path = file.resolve();
            } catch (OverlayConfigException e) {
                err.println(e.getMessage());
                return INVALID;
            }
            try {
                // One read: the service may replace the file between two.
                String text = Files.readString(path);
                OverlayStatus status = OverlayStatus.parse(path, text);
                spec.commandLine().getOut().print(output == Format.json ? text : status.toText());
                spec.commandLine().getOut().flush();
                return OK;
            } catch (NoSuchFileException e) {
                err.println("no overlay status at " + path + ": the overlay service has not run since boot"
                        + " (start it with: mooring overlay run)");
                return FAILED;
            } catch (IOException e) {
                err.println("cannot read the overlay status " + path + ": " + e.getMessage());
                return FAILED;
            }
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Remove what the overlay created (mooring-vx, mooring0, their addresses and "
                    + "forwarding entries) and the status file. Stop the service first, or it puts them back.")
    static final class Down implements Callable<Integer> {
        @ParentCommand
        OverlayCommand parent;
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        StatusFileOptions file;

        @Override
        public Integer call() {
            PrintWriter err = err(spec);
            Path path;
            try {
                path = file.resolve();
            } catch (OverlayConfigException e) {
                err.println(e.getMessage());
                return INVALID;
            }
            try (Kernel kernel = parent.kernels.open()) {
                List<KernelChange> changes = Planner.teardown(kernel.observe());
                for (KernelChange c : changes) {
                    kernel.apply(c);
                }
                boolean removed = Files.deleteIfExists(path);
                spec.commandLine().getOut().println(changes.isEmpty() && !removed ? "nothing to remove"
                        : "removed " + String.join(", ", changes.stream()
                        .map(c -> ((KernelChange.DeleteLink) c).name()).toList())
                        + (removed ? (changes.isEmpty() ? "" : " and ") + path : ""));
                spec.commandLine().getOut().flush();
                return OK;
            } catch (KernelException e) {
                err.println("mooring overlay down: " + e.getMessage() + permissionHint(e.errno(), e.getMessage()));
                return FAILED;
            } catch (IOException e) {
                err.println("mooring overlay down: cannot remove " + path + ": " + e.getMessage());
                return FAILED;
            }
        }
    }

    /** Where the status file is: {@code --status-file}, else the {@code status} of {@code --config}, else the default. */
    static final class StatusFileOptions {
        @Option(names = "--config", paramLabel = "FILE", description = "overlay.yaml to take the status path from")
        Path config;

        @Option(names = "--status-file", paramLabel = "FILE",
                description = "the status file (default: the config's, else " + "/run/mooring/overlay.json)")
        Path statusFile;

        Path resolve() throws OverlayConfigException {
            if (statusFile != null) {
                return statusFile;
            }
            return config == null ? OverlayConfig.DEFAULT_STATUS_FILE : OverlayConfigLoader.load(config).statusFile();
        }
    }

    /** A start that failed has nothing for the hook to stop; during shutdown the hook is running anyway. */
    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting and runs the hook.
        }
    }

    /** EPERM: say what is missing, unless the kernel's message already does. */
    private static String permissionHint(int errno, String message) {
        return errno == 1 && !message.contains("CAP_NET_ADMIN") ? "; run it as root or with CAP_NET_ADMIN" : "";
    }
}
