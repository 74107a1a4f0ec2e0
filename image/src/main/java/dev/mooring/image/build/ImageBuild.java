package dev.mooring.image.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mooring.image.build.steps.Ext4Filesystem;
import dev.mooring.image.build.steps.FatImage;
import dev.mooring.image.build.steps.Layering;
import dev.mooring.image.build.steps.Layering.RuntimeTar;
import dev.mooring.image.build.steps.LiveIso;
import dev.mooring.image.build.steps.RawDisk;
import dev.mooring.image.build.steps.RootFilesystem;
import dev.mooring.image.build.steps.UnifiedKernelImage;
import dev.mooring.image.disk.GptLayout;
import dev.mooring.image.disk.GptPartition;
import dev.mooring.image.spec.ByteSize;
import dev.mooring.image.spec.ImageSpec;
import dev.mooring.image.spec.ImageSpec.Output;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The pipeline: root filesystem → layering → ext4 → ESP and OEM → GPT disk → qcow2 → ISO, then the
 * build report. Everything is made in a work folder inside the output folder (same file system,
 * so the final renames are atomic); the outputs get their final names only when all succeeded.
 */
public final class ImageBuild {

    /** The ESP holds one UKI (kernel + initramfs, 20–40 MB) with room for an update. */
    public static final long ESP_BYTES = 128L << 20;
    /** /oem: user-data, meta-data, network-config, plus room for files a site adds. */
    public static final long OEM_BYTES = 16L << 20;
    /** Without disk-size in the spec: at least this, so the root has room to work in. */
    public static final long DEFAULT_MIN_DISK = 2L << 30;

    public record Result(Map<String, Path> files, Path report, Map<String, Object> reportData) {
    }

    private final ImageSpec spec;
    private final Path outDir;
    private final Path cacheDir;
    private final RuntimeTar runtime;
    private final Progress progress;
    private final Tools tools;
    private final ImageIdentity id;

    public ImageBuild(ImageSpec spec, Path outDir, Path cacheDir, RuntimeTar runtime, Progress progress) {
        this.spec = spec;
        this.outDir = outDir.toAbsolutePath();
        this.cacheDir = cacheDir.toAbsolutePath();
        this.runtime = runtime;
        this.progress = progress;
        this.tools = Tools.forBuild(spec.sourceDateEpoch());
        this.id = ImageIdentity.of(spec);
    }

    public Result run() throws BuildException {
        long started = System.nanoTime();
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new BuildException("cannot create the output folder " + outDir + ": " + e.getMessage(), "choose another folder with -o");
        }
        Path work = outDir.resolve("." + spec.name() + ".work-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(work);
            return build(work, started);
        } catch (IOException e) {
            throw ioFailure(e);
        } finally {
            deleteTree(work);
        }
    }

    private Result build(Path work, long started) throws BuildException, IOException {
        List<String> steps = new ArrayList<>(List.of("rootfs", "layering", "ext4", "esp", "oem", "raw"));
        if (spec.outputs().contains(Output.QCOW2)) {
            steps.add("qcow2");
        }
        if (spec.outputs().contains(Output.ISO)) {
            steps.add("iso");
        }
        steps.add("report");
        Steps s = new Steps(steps);
        Map<String, Long> timings = new LinkedHashMap<>();
        Map<String, Path> finals = new LinkedHashMap<>();
        Map<String, Path> temps = new LinkedHashMap<>();

        s.start("rootfs", spec.base().rootfsTar().isPresent() ? "given tarball" : "mmdebstrap " + spec.base().suite() + " (cached by inputs)");
        RootFilesystem.Output rootfs = new RootFilesystem(tools, cacheDir).run(spec, progress);
        // The unpacked tree, the ext4 image and the disk each take about the tar's size (or twice a compressed one).
        checkSpace(3 * (Files.size(rootfs.tar()) + Files.size(runtime.tar())));
        timings.put("rootfs", s.finish(Files.size(rootfs.tar()), rootfs.cached() ? "cached " + rootfs.tar().getFileName() : "built " + rootfs.tar()));

        s.start("layering", "runtime " + runtime.tar().getFileName() + ", units, network, /oem mount");
        Layering.Output layered = new Layering(tools).run(spec, id, rootfs.tar(), runtime, work.resolve("root"), progress);
        Ext4Filesystem.Needs needs = Ext4Filesystem.measure(layered.root());
        timings.put("layering", s.finish(needs.dataBytes(), layered.packages().size() + " packages, kernel " + layered.kernelVersion()));

        long rootMin = needs.minimumBytes();
        long minimumDisk = GptLayout.minimumDiskBytes(List.of(ESP_BYTES, OEM_BYTES, rootMin));
        long diskBytes = spec.diskSize().orElse(Math.max(DEFAULT_MIN_DISK, minimumDisk));
        diskBytes = (diskBytes + (1 << 20) - 1) & ~((1L << 20) - 1);
        if (diskBytes < minimumDisk) {
            throw new BuildException("disk-size " + ByteSize.format(spec.diskSize().orElseThrow()) + " in " + spec.file()
                    + " is too small: the content needs at least " + ByteSize.formatMiB(minimumDisk) + " ("
                    + ByteSize.format(needs.dataBytes()) + " of files, the ESP and /oem)",
                    "write disk-size: " + ByteSize.formatMiB(minimumDisk) + " or more, or remove disk-size");
        }
        checkSpace(needs.dataBytes() * (2 + (spec.outputs().contains(Output.QCOW2) ? 1 : 0))
                + (spec.outputs().contains(Output.ISO) ? needs.dataBytes() / 2 : 0) + ESP_BYTES);
        GptLayout layout = RawDisk.layout(id, diskBytes, ESP_BYTES, OEM_BYTES);
        GptPartition rootPart = layout.partition(RawDisk.ROOT);

        s.start("ext4", ByteSize.format(rootPart.sizeBytes()) + " root, mkfs.ext4 -d");
        Path ext4 = work.resolve("root.ext4");
        new Ext4Filesystem(tools).make(spec, id, layered.root(), ext4, rootPart.sizeBytes(), work);
        timings.put("ext4", s.finish(allocated(ext4), "UUID " + id.rootFilesystem()));

        String cmdline = "root=PARTUUID=" + id.rootPartition() + " rw rootwait " + spec.kernel().cmdline();
        s.start("esp", "unified kernel image, FAT32 ESP");
        Path uki = work.resolve("BOOTX64.EFI");
        new UnifiedKernelImage(tools).make(layered.root(), layered.kernel(), layered.initrd(), cmdline, uki, work, spec.sourceDateEpoch());
        Path esp = work.resolve("esp.img");
        FatImage fat = new FatImage(tools, spec.sourceDateEpoch());
        fat.make(esp, ESP_BYTES, ImageIdentity.ESP_LABEL, id.espVolumeId(), true, Map.of("EFI/BOOT/BOOTX64.EFI", uki));
        timings.put("esp", s.finish(Files.size(uki), "UKI " + ByteSize.format(Files.size(uki))));

        s.start("oem", "/oem with the default user-data");
        Path oem = work.resolve("oem.img");
        Path userData = work.resolve("user-data");
        Files.copy(spec.userData(), userData, StandardCopyOption.REPLACE_EXISTING);
        fat.make(oem, OEM_BYTES, ImageIdentity.OEM_LABEL, id.oemVolumeId(), false, Map.of("user-data", userData));
        timings.put("oem", s.finish(Files.size(userData), ImageIdentity.OEM_LABEL));

        s.start("raw", ByteSize.format(diskBytes) + " GPT disk");
        Path raw = temp(work, "raw");
        long[] written = {0};
        RawDisk.write(raw, layout, esp, oem, ext4, n -> {
            written[0] += n;
            if (written[0] % (64L << 20) < n) {
                progress.detail("raw", ByteSize.format(written[0]) + " written");
            }
        });
        finals.put("raw", outDir.resolve(spec.name() + ".raw"));
        temps.put("raw", raw);
        timings.put("raw", s.finish(allocated(raw), ByteSize.format(allocated(raw)) + " allocated"));
        Files.deleteIfExists(ext4);

        if (spec.outputs().contains(Output.QCOW2)) {
            s.start("qcow2", "qemu-img convert");
            Path qcow2 = temp(work, "qcow2");
            tools.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString()), "converting to qcow2");
            finals.put("qcow2", outDir.resolve(spec.name() + ".qcow2"));
            temps.put("qcow2", qcow2);
            timings.put("qcow2", s.finish(Files.size(qcow2), ByteSize.format(Files.size(qcow2))));
        }
        String liveCmdline = "boot=mooringlive mooring.live=" + id.isoLabel() + " rw " + spec.kernel().cmdline();
        if (spec.outputs().contains(Output.ISO)) {
            s.start("iso", "squashfs root, live UKI, xorriso");
            Path tree = work.resolve("iso");
            LiveIso live = new LiveIso(tools, spec.sourceDateEpoch());
            live.squash(layered.root(), tree.resolve("live/root.squashfs"));
            Files.createDirectories(tree.resolve("oem"));
            Files.copy(spec.userData(), tree.resolve("oem/user-data"), StandardCopyOption.REPLACE_EXISTING);
            Path liveUki = work.resolve("LIVEX64.EFI");
            new UnifiedKernelImage(tools).make(layered.root(), layered.kernel(), layered.initrd(), liveCmdline, liveUki, work, spec.sourceDateEpoch());
            Path efi = work.resolve("efiboot.img");
            fat.make(efi, FatImage.sizeFor(Map.of("u", liveUki), 34L << 20), "MOORING-ISO", id.espVolumeId(), true,
                    Map.of("EFI/BOOT/BOOTX64.EFI", liveUki));
            Path iso = temp(work, "iso");
            live.make(id, tree, efi, iso);
            finals.put("iso", outDir.resolve(spec.name() + ".iso"));
            temps.put("iso", iso);
            timings.put("iso", s.finish(Files.size(iso), ByteSize.format(Files.size(iso))));
        }

        s.start("report", "kernel, initrd, " + spec.name() + ".json");
        Path kernelOut = temp(work, "vmlinuz");
        Path initrdOut = temp(work, "initrd");
        Files.copy(layered.kernel(), kernelOut, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(layered.initrd(), initrdOut, StandardCopyOption.REPLACE_EXISTING);
        finals.put("vmlinuz", outDir.resolve(spec.name() + ".vmlinuz"));
        temps.put("vmlinuz", kernelOut);
        finals.put("initrd", outDir.resolve(spec.name() + ".initrd"));
        temps.put("initrd", initrdOut);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("name", spec.name());
        report.put("version", spec.version());
        report.put("sourceDateEpoch", spec.sourceDateEpoch());
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("spec", Map.of("path", spec.file().toString(), "sha256", Sha256.of(spec.file())));
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("suite", spec.base().suite());
        base.put("mirror", spec.base().mirror());
        base.put("packagesRequested", RootFilesystem.packages(spec));
        base.put("rootfsTar", rootfs.tar().toString());
        base.put("rootfsKey", rootfs.key());
        base.put("rootfsCached", rootfs.cached());
        inputs.put("base", base);
        Map<String, Object> rt = new LinkedHashMap<>();
        rt.put("tar", runtime.tar().toString());
        rt.put("sha256", Sha256.of(runtime.tar()));
        if (runtime.aotCache().isPresent()) {
            rt.put("aotCache", runtime.aotCache().get().toString());
            rt.put("aotCacheSha256", Sha256.of(runtime.aotCache().get()));
        } else {
            rt.put("aotCache", "none: mooring-aot-cache.service trains one on the device");
        }
        if (runtime.serviceAotCache().isPresent()) {
            rt.put("serviceAotCache", runtime.serviceAotCache().get().toString());
            rt.put("serviceAotCacheSha256", Sha256.of(runtime.serviceAotCache().get()));
        } else {
            rt.put("serviceAotCache", "none: the overlay service uses the general cache, or mooring-aot-cache.service trains one");
        }
        inputs.put("runtime", rt);
        inputs.put("userData", Map.of("path", spec.userData().toString(), "sha256", Sha256.of(spec.userData())));
        Map<String, Object> k8s = new LinkedHashMap<>();
        k8s.put("etcd", spec.kubernetes().etcd());
        if (spec.kubernetes().k3s().isPresent()) {
            k8s.put("k3s", Map.of("path", spec.kubernetes().k3s().get().toString(), "sha256", Sha256.of(spec.kubernetes().k3s().get())));
        }
        if (spec.kubernetes().k3sAirgap().isPresent()) {
            k8s.put("k3sAirgap", Map.of("path", spec.kubernetes().k3sAirgap().get().toString(), "sha256", Sha256.of(spec.kubernetes().k3sAirgap().get())));
        }
        inputs.put("kubernetes", k8s);
        report.put("inputs", inputs);
        Map<String, Object> boot = new LinkedHashMap<>();
        boot.put("kernelVersion", layered.kernelVersion());
        boot.put("kernel", spec.name() + ".vmlinuz");
        boot.put("initrd", spec.name() + ".initrd");
        boot.put("cmdline", cmdline);
        boot.put("liveCmdline", liveCmdline);
        boot.put("directBootCmdline", "root=PARTUUID=" + id.rootPartition() + " rw rootwait " + spec.kernel().cmdline());
        boot.put("isoLabel", id.isoLabel());
        report.put("boot", boot);
        Map<String, Object> disk = new LinkedHashMap<>();
        disk.put("bytes", diskBytes);
        disk.put("guid", id.disk().toString());
        List<Map<String, Object>> parts = new ArrayList<>();
        for (int i = 0; i < layout.partitions().size(); i++) {
            GptPartition p = layout.partitions().get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("number", i + 1);
            m.put("name", p.name());
            m.put("type", p.type().toString());
            m.put("partuuid", p.guid().toString());
            m.put("offset", p.offsetBytes());
            m.put("bytes", p.sizeBytes());
            switch (p.name()) {
                case RawDisk.ESP -> m.putAll(Map.of("filesystem", "vfat", "label", ImageIdentity.ESP_LABEL, "volumeId", id.espVolumeId()));
                case RawDisk.OEM -> m.putAll(Map.of("filesystem", "vfat", "label", ImageIdentity.OEM_LABEL, "volumeId", id.oemVolumeId(), "mount", "/oem"));
                default -> m.putAll(Map.of("filesystem", "ext4", "label", ImageIdentity.ROOT_LABEL, "uuid", id.rootFilesystem().toString(), "mount", "/"));
            }
            parts.add(m);
        }
        disk.put("partitions", parts);
        disk.put("rootNeedsBytes", rootMin);
        disk.put("minimumBytes", minimumDisk);
        report.put("disk", disk);
        report.put("packages", layered.packages());
        Map<String, Object> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : temps.entrySet()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("file", finals.get(e.getKey()).getFileName().toString());
            o.put("bytes", Files.size(e.getValue()));
            o.put("allocatedBytes", allocated(e.getValue()));
            o.put("sha256", Sha256.of(e.getValue()));
            outputs.put(e.getKey(), o);
        }
        report.put("outputs", outputs);
        timings.put("report", s.finish(0, ""));
        timings.put("total", Duration.ofNanos(System.nanoTime() - started).toMillis());
        report.put("timingsMs", timings);

        Path reportTemp = work.resolve(spec.name() + ".json");
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(reportTemp.toFile(), report);
        // Everything is complete: now the final names, each an atomic rename in the same folder.
        for (Map.Entry<String, Path> e : temps.entrySet()) {
            fsync(e.getValue());
            Files.move(e.getValue(), finals.get(e.getKey()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        Path reportFinal = outDir.resolve(spec.name() + ".json");
        fsync(reportTemp);
        Files.move(reportTemp, reportFinal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new Result(finals, reportFinal, report);
    }

    private Path temp(Path work, String extension) {
        return work.resolve(spec.name() + "." + extension);
    }

    /** Refuses to start when the output folder obviously cannot hold the work and the outputs. */
    private void checkSpace(long needed) throws BuildException, IOException {
        FileStore store = Files.getFileStore(outDir);
        if (store.getUsableSpace() < needed) {
            throw new BuildException("not enough space in " + outDir + ": " + ByteSize.format(store.getUsableSpace())
                    + " free, the build needs about " + ByteSize.format(needed) + " more",
                    "free space there or choose another output folder with -o");
        }
    }

    private BuildException ioFailure(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
            return new BuildException("no space left in " + outDir + " (" + message + ")",
                    "free space there or choose another output folder with -o; nothing was written under the final names", e);
        }
        return new BuildException("writing the image failed: " + e, "check the output folder " + outDir + " and try again", e);
    }

    /** Bytes the file occupies on disk (a sparse image far less than its size); Java's attribute views do not tell. */
    public static long allocated(Path file) throws IOException {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
        try {
            if (p.waitFor() == 0) {
                String[] parts = out.split(" ");
                return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (NumberFormatException e) {
            // fall through to the apparent size
        }
        return Files.size(file);
    }

    private static void fsync(Path file) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Best effort: a left-over work folder has a name no output ever has.
        }
    }

    /** Numbers the steps and times them for the progress display and the report. */
    private final class Steps {
        private final List<String> names;
        private String current;
        private long startedAt;

        Steps(List<String> names) {
            this.names = names;
        }

        void start(String name, String what) {
            current = name;
            startedAt = System.nanoTime();
            progress.started(names.indexOf(name) + 1, names.size(), name, what);
        }

        long finish(long bytes, String summary) {
            Duration took = Duration.ofNanos(System.nanoTime() - startedAt);
            progress.finished(current, took, bytes, summary);
            return took.toMillis();
        }
    }
}
