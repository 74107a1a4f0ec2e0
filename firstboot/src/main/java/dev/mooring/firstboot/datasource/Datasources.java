package dev.mooring.firstboot.datasource;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Finds the seed, in this order (the first that exists wins):
 * <ol>
 * <li>the kernel command line's {@code ds=nocloud;s=URL} ({@code --cmdline}, else {@code /proc/cmdline});</li>
 * <li>{@code --seed DIR|IMAGE} when given, else a filesystem labelled {@code CIDATA}/{@code cidata}
 *     (only when the root is {@code /}: devices belong to the running machine);</li>
 * <li>{@code /oem/*.yaml} in the root, merged in name order ({@link OemMerge}).</li>
 * </ol>
 * The first-boot run adds the cached seed of the current instance between 2 and 3 (see
 * docs/firstboot.md).
 */
public final class Datasources {

    /** Where to look and how long to wait. */
    public record Options(Path root, Optional<String> cmdline, Optional<Path> seed, Duration networkWait) {
        public boolean onDevice() {
            return root.toAbsolutePath().normalize().toString().equals("/");
        }
    }

    private final Options options;
    private final Consumer<String> log;

    public Datasources(Options options, Consumer<String> log) {
        this.options = options;
        this.log = log;
    }

    /** The seed URL the kernel command line names, if any. */
    public Optional<URI> commandLineSeed() throws DatasourceException {
        return KernelCommandLine.nocloudSeed(options.cmdline().orElseGet(this::procCmdline));
    }

    /** The kernel command line or an explicit/CIDATA seed; empty when neither exists. */
    public Optional<Seed> primary() throws DatasourceException {
        Optional<URI> url = commandLineSeed();
        if (url.isPresent()) {
            log.accept("datasource: kernel command line seed " + url.get());
            return Optional.of(seed("cmdline", url.get().toString(), new UrlSeed(url.get(), options.root(), options.networkWait(), log).read()));
        }
        if (options.seed().isPresent()) {
            SeedMedium medium = SeedMedium.of(options.seed().get());
            log.accept("datasource: seed " + medium.describe());
            return Optional.of(seed("seed", medium.describe(), medium.read()));
        }
        if (options.onDevice()) {
            Optional<SeedMedium> medium = cidataDevice();
            if (medium.isPresent()) {
                log.accept("datasource: CIDATA " + medium.get().describe());
                return Optional.of(seed("cidata", medium.get().describe(), medium.get().read()));
            }
        }
        return Optional.empty();
    }

    /** Polls for a CIDATA medium for at most {@code wait} (USB sticks and virtual CD-ROMs may show up late). */
    public Optional<Seed> waitForMedia(Duration wait) throws DatasourceException {
        if (!options.onDevice() || wait.isZero()) {
            return Optional.empty();
        }
        log.accept("no seed found yet; waiting up to " + wait.toSeconds() + "s for a CIDATA medium (USB sticks and CD-ROMs may appear late)");
        Instant deadline = Instant.now().plus(wait);
        while (Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            Optional<SeedMedium> medium = cidataDevice();
            if (medium.isPresent()) {
                return Optional.of(seed("cidata", medium.get().describe(), medium.get().read()));
            }
        }
        log.accept("no CIDATA medium appeared within " + wait.toSeconds() + "s");
        return Optional.empty();
    }

    /** {@code /oem/*.yaml}; the seed holds the merged user-data and each file as {@code oem/NAME} for validation. */
    public Optional<Seed> oem() throws DatasourceException {
        Path dir = options.root().resolve("oem");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new DatasourceException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            return Optional.empty();
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<String> texts = new ArrayList<>();
        for (Path f : files) {
            try {
                byte[] bytes = Files.readAllBytes(f);
                out.put("oem/" + f.getFileName(), bytes);
                texts.add(new String(bytes, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new DatasourceException("cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        log.accept("datasource: /oem (" + files.size() + " files)");
        return Optional.of(new Seed("oem", "/oem", withMerged(out, texts)));
    }

    private static Map<String, byte[]> withMerged(Map<String, byte[]> files, List<String> texts) throws DatasourceException {
        Map<String, byte[]> out = new LinkedHashMap<>(files);
        byte[] merged;
        try {
            merged = OemMerge.merge(texts).getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            // Each file is validated on its own before the merged text is used; this only marks it unusable.
            merged = new byte[0];
        }
        out.put(Seed.USER_DATA, merged);
        // The image's config has no meta-data: its content is the instance, so a changed /oem is a new instance.
        out.put(Seed.META_DATA, ("instance-id: oem-" + sha256(merged).substring(0, 16) + "\n").getBytes(StandardCharsets.UTF_8));
        return out;
    }

    private static Seed seed(String datasource, String location, Map<String, byte[]> files) throws DatasourceException {
        if (!files.containsKey(Seed.USER_DATA)) {
            throw new DatasourceException("the seed " + location + " has no user-data file; put user-data (and meta-data) at its top level");
        }
        return new Seed(datasource, location, files);
    }

    private String procCmdline() {
        Path file = options.onDevice() ? Path.of("/proc/cmdline") : options.root().resolve("proc/cmdline");
        try {
            return Files.isRegularFile(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            log.accept("cannot read " + file + ": " + e.getMessage());
            return "";
        }
    }

    /** /dev/disk/by-label/CIDATA or cidata, else what blkid finds; the filesystem type decides the reader. */
    private Optional<SeedMedium> cidataDevice() throws DatasourceException {
        for (String label : List.of("CIDATA", "cidata")) {
            Path link = Path.of("/dev/disk/by-label", label);
            Optional<Path> device = Files.exists(link) ? Optional.of(resolve(link)) : blkid("-l", "-o", "device", "-t", "LABEL=" + label).map(Path::of);
            if (device.isPresent()) {
                String type = blkid("-o", "value", "-s", "TYPE", device.get().toString()).orElse("");
                return Optional.of(switch (type) {
                    case "vfat" -> new SeedMedium.Vfat(device.get());
                    case "iso9660" -> new SeedMedium.Iso9660(device.get());
                    default -> throw new DatasourceException(device.get() + " is labelled " + label + " but holds '" + type
                            + "', not vfat or iso9660; make the seed with mkfs.vfat -n CIDATA or genisoimage -V CIDATA");
                });
            }
        }
        return Optional.empty();
    }

    private static Path resolve(Path link) {
        try {
            return link.toRealPath();
        } catch (IOException e) {
            return link;
        }
    }

    private static Optional<String> blkid(String... args) {
        List<String> command = new ArrayList<>(List.of("blkid"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 && !out.isEmpty() ? Optional.of(out.lines().findFirst().orElse("")) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
