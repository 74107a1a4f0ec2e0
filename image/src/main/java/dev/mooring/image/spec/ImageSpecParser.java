package dev.mooring.image.spec;

import dev.mooring.firstboot.diagnostic.Diagnostic;
import dev.mooring.firstboot.diagnostic.Findings;
import dev.mooring.firstboot.diagnostic.Source;
import dev.mooring.firstboot.userdata.UserDataValidator;
import dev.mooring.firstboot.userdata.Validation;
import dev.mooring.firstboot.yaml.MappingFields;
import dev.mooring.firstboot.yaml.NodeReader;
import dev.mooring.firstboot.yaml.YamlDocument;
import dev.mooring.image.spec.ImageSpec.Base;
import dev.mooring.image.spec.ImageSpec.Kernel;
import dev.mooring.image.spec.ImageSpec.Kubernetes;
import dev.mooring.image.spec.ImageSpec.Output;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code image.yaml} into an {@link ImageSpec}, reporting every problem at its line and
 * column with firstboot's diagnostics (the same format as {@code mooring userdata validate}). The
 * baked-in user-data is validated too, so an image never ships user-data its first boot refuses.
 */
public final class ImageSpecParser {

    public static final String DEFAULT_SUITE = "bookworm";
    public static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";
    public static final String DEFAULT_KERNEL = "linux-image-amd64";
    /** ttyS0 last: it becomes /dev/console, where systemd and the runtime's units print. */
    public static final String DEFAULT_CMDLINE = "console=tty0 console=ttyS0,115200 systemd.show_status=1";
    /** 2026-01-01T00:00:00Z: a fixed default, so a spec without one still builds reproducibly. */
    public static final long DEFAULT_SOURCE_DATE_EPOCH = 1767225600L;
    /** FAT cannot store a time before 1980. */
    static final long MIN_SOURCE_DATE_EPOCH = 315532800L;

    /** Storage and console drivers for virtual machines and common edge hardware, plus what the live ISO mounts. */
    public static final List<String> DEFAULT_MODULES = List.of("virtio_pci", "virtio_blk", "virtio_scsi", "virtio_net",
            "ext4", "vfat", "nls_cp437", "nls_ascii", "sd_mod", "sr_mod", "ahci", "nvme", "usb_storage", "uas",
            "xhci_pci", "ehci_pci", "isofs", "squashfs", "loop", "overlay");
    /** Driver families an edge appliance does not use; about 250 MB of modules. Ethernet drivers stay. */
    public static final List<String> DEFAULT_OMIT_MODULES = List.of("sound", "drivers/gpu", "drivers/media",
            "drivers/infiniband", "drivers/net/wireless", "drivers/staging", "drivers/bluetooth", "drivers/isdn",
            "drivers/iio", "drivers/comedi", "net/wireless", "net/mac80211", "net/bluetooth", "fs/btrfs", "fs/xfs",
            "fs/ocfs2", "fs/gfs2", "fs/ceph", "fs/smb", "fs/nfs", "fs/nfsd", "fs/bcachefs");

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?");
    private static final Pattern MODULE = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern MODULE_DIR = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*");
    private static final Pattern SUITE = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Set<String> TOP = Set.of("name", "version", "source-date-epoch", "base", "kernel", "runtime",
            "kubernetes", "user-data", "outputs", "disk-size");
    private static final Map<String, Output> OUTPUTS = Map.of("raw", Output.RAW, "iso", Output.ISO, "qcow2", Output.QCOW2);

    /** The outcome: the spec when there is no error, and every diagnostic sorted by position. */
    public record Result(Optional<ImageSpec> spec, List<Diagnostic> diagnostics) {
        public Result {
            diagnostics = List.copyOf(diagnostics);
        }

        public List<Diagnostic> errors() {
            return diagnostics.stream().filter(Diagnostic::isError).toList();
        }
    }

    private final Map<String, String> environment;

    public ImageSpecParser(Map<String, String> environment) {
        this.environment = environment;
    }

    public static ImageSpecParser standard() {
        return new ImageSpecParser(System.getenv());
    }

    public Result parse(Path file) {
        String name = file.toString();
        Findings findings = new Findings(Source.file(name));
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            findings.fileError("no such file", "check the path of the image spec");
            return new Result(Optional.empty(), findings.sorted());
        } catch (CharacterCodingException e) {
            findings.fileError("is not UTF-8 text", "save the spec as UTF-8");
            return new Result(Optional.empty(), findings.sorted());
        } catch (IOException e) {
            findings.fileError("cannot be read: " + e.getMessage(), "check the path and its permissions");
            return new Result(Optional.empty(), findings.sorted());
        }
        return parse(file.toAbsolutePath().normalize(), text, findings);
    }

    /** Parses {@code text} as the spec at {@code file}; relative paths resolve against its folder. */
    public Result parse(Path file, String text, Findings findings) {
        Optional<Node> root = YamlDocument.compose(text, findings);
        if (findings.hasErrors()) {
            return new Result(Optional.empty(), findings.sorted());
        }
        if (root.isEmpty()) {
            findings.error(1, 1, "the image spec is empty", "write at least name: and base:; see docs/image.md");
            return new Result(Optional.empty(), findings.sorted());
        }
        NodeReader reader = new NodeReader(findings);
        Optional<MappingNode> mapping = reader.mapping(root.get(), "the image spec");
        if (mapping.isEmpty()) {
            return new Result(Optional.empty(), findings.sorted());
        }
        Path folder = file.getParent();
        MappingFields top = reader.fields(mapping.get(), "the image spec", TOP, Set.of());

        Optional<String> name = top.required("name", "add name: edge (the output files are named after it)")
                .flatMap(n -> reader.nonBlankString(n, "name").filter(s -> check(reader, n, NAME.matcher(s).matches(),
                        "name '" + s + "' is not a file-name-safe word", "use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit")));
        String version = top.value("version").flatMap(v -> reader.nonBlankString(v, "version")).orElse("0");
        long sde = top.value("source-date-epoch")
                .flatMap(v -> reader.integer(v, "source-date-epoch", MIN_SOURCE_DATE_EPOCH, 4102444800L))
                .orElseGet(this::environmentEpoch);
        Optional<Base> base = base(top.value("base"), reader, folder);
        Optional<Kernel> kernel = kernel(top.value("kernel"), reader);
        Optional<Path> runtime = top.value("runtime")
                .flatMap(v -> reader.nonBlankString(v, "runtime").flatMap(p -> existingFile(reader, v, folder, p, "runtime",
                        "give the runtime tar (make runtime-tar writes runtime/target/mooring-runtime-*.tar), or remove runtime: to use the default")));
        Optional<Kubernetes> kubernetes = kubernetes(top.value("kubernetes"), reader, folder);
        Optional<Path> userData = top.required("user-data", "add user-data: user-data.yaml (the default user-data baked into /oem)")
                .flatMap(v -> reader.nonBlankString(v, "user-data").flatMap(p -> existingFile(reader, v, folder, p, "user-data",
                        "write the default user-data file, or fix the path (relative to the spec's folder)"))
                        .filter(p -> userDataValid(reader, v, p)));
        Set<Output> outputs = outputs(top.value("outputs"), reader);
        Optional<Long> diskSize = top.value("disk-size").flatMap(v -> reader.nonBlankString(v, "disk-size")
                .flatMap(s -> {
                    Optional<Long> size = ByteSize.parse(s);
                    if (size.isEmpty()) {
                        reader.error(v, "disk-size '" + s + "' is not a size", "write it like 2GiB or 1536MiB, or remove it to use the smallest size that fits");
                    } else if (size.get() < (64L << 20)) {
                        reader.error(v, "disk-size " + s + " is smaller than 64 MiB", "give at least the size the build reports as needed, or remove disk-size");
                        return Optional.empty();
                    }
                    return size;
                }));
        top.finish();
        if (findings.hasErrors()) {
            return new Result(Optional.empty(), findings.sorted());
        }
        ImageSpec spec = new ImageSpec(file, name.orElseThrow(), version, sde, base.orElseThrow(), kernel.orElseThrow(),
                runtime, kubernetes.orElseThrow(), userData.orElseThrow(), outputs, diskSize);
        return new Result(Optional.of(spec), findings.sorted());
    }

    private long environmentEpoch() {
        String env = environment.get("SOURCE_DATE_EPOCH");
        if (env != null && env.matches("\\d{1,12}")) {
            return Math.max(MIN_SOURCE_DATE_EPOCH, Long.parseLong(env));
        }
        return DEFAULT_SOURCE_DATE_EPOCH;
    }

    private static Optional<Base> base(Optional<Node> node, NodeReader reader, Path folder) {
        if (node.isEmpty()) {
            return Optional.of(new Base(DEFAULT_SUITE, DEFAULT_MIRROR, List.of(), Optional.empty()));
        }
        Optional<MappingNode> mapping = reader.mapping(node.get(), "base");
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        MappingFields f = reader.fields(mapping.get(), "base", Set.of("suite", "mirror", "packages", "rootfs"), Set.of());
        String suite = f.value("suite").flatMap(v -> reader.nonBlankString(v, "base.suite").filter(s -> check(reader, v,
                SUITE.matcher(s).matches(), "base.suite '" + s + "' is not a Debian suite name", "write e.g. bookworm"))).orElse(DEFAULT_SUITE);
        String mirror = f.value("mirror").flatMap(v -> reader.nonBlankString(v, "base.mirror").filter(s -> check(reader, v,
                s.startsWith("http://") || s.startsWith("https://") || s.startsWith("file:/"),
                "base.mirror '" + s + "' is not an http(s) or file: URL", "write e.g. " + DEFAULT_MIRROR))).orElse(DEFAULT_MIRROR);
        List<String> packages = new ArrayList<>();
        f.value("packages").ifPresent(v -> reader.sequence(v, "base.packages").ifPresent(seq -> {
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                String what = "base.packages[" + i + "]";
                reader.nonBlankString(item, what).ifPresent(p -> {
                    if (!PACKAGE.matcher(p).matches()) {
                        reader.error(item, what + " '" + p + "' is not a Debian package name",
                                "write the package name, optionally with =version (e.g. openssh-server)");
                    } else if (packages.contains(p)) {
                        reader.warning(item, "base.packages lists '" + p + "' twice", "remove the repetition");
                    } else {
                        packages.add(p);
                    }
                });
            }
        }));
        Optional<Path> rootfs = f.value("rootfs").flatMap(v -> reader.nonBlankString(v, "base.rootfs")
                .flatMap(p -> existingFile(reader, v, folder, p, "base.rootfs", "give a root filesystem tarball (tar, optionally compressed) or remove rootfs: to build one with mmdebstrap")));
        if (f.has("rootfs") && (f.has("packages") || f.has("suite") || f.has("mirror"))) {
            reader.error(f.keyNode("rootfs").orElseThrow(), "base.rootfs cannot be combined with suite, mirror or packages",
                    "either give a finished root filesystem tarball, or let mmdebstrap build one from suite, mirror and packages");
        }
        f.finish();
        return Optional.of(new Base(suite, mirror, packages, rootfs));
    }

    private static Optional<Kernel> kernel(Optional<Node> node, NodeReader reader) {
        if (node.isEmpty()) {
            return Optional.of(new Kernel(DEFAULT_KERNEL, DEFAULT_CMDLINE, DEFAULT_MODULES, DEFAULT_OMIT_MODULES));
        }
        Optional<MappingNode> mapping = reader.mapping(node.get(), "kernel");
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        MappingFields f = reader.fields(mapping.get(), "kernel", Set.of("package", "cmdline", "modules", "omit-modules"), Set.of());
        String pkg = f.value("package").flatMap(v -> reader.nonBlankString(v, "kernel.package").filter(s -> check(reader, v,
                PACKAGE.matcher(s).matches(), "kernel.package '" + s + "' is not a Debian package name", "write e.g. " + DEFAULT_KERNEL)))
                .orElse(DEFAULT_KERNEL);
        String cmdline = f.value("cmdline").flatMap(v -> reader.string(v, "kernel.cmdline").filter(s -> check(reader, v,
                !s.contains("\n") && !s.matches(".*(^|\\s)root=.*"), "kernel.cmdline must be one line without root=",
                "the builder adds root= itself (the root partition's PARTUUID); remove it"))).orElse(DEFAULT_CMDLINE);
        List<String> modules = f.value("modules").flatMap(v -> reader.strings(v, "kernel.modules").filter(l -> check(reader, v,
                l.stream().allMatch(m -> MODULE.matcher(m).matches()), "kernel.modules holds a name that is not a module name",
                "write module names like virtio_blk"))).orElse(DEFAULT_MODULES);
        List<String> omit = f.value("omit-modules").flatMap(v -> reader.strings(v, "kernel.omit-modules").filter(l -> check(reader, v,
                l.stream().allMatch(m -> MODULE_DIR.matcher(m).matches()), "kernel.omit-modules holds something that is not a relative folder",
                "write folders below lib/modules/<version>/kernel, like drivers/gpu"))).orElse(DEFAULT_OMIT_MODULES);
        f.finish();
        return Optional.of(new Kernel(pkg, cmdline, modules, omit));
    }

    private static Optional<Kubernetes> kubernetes(Optional<Node> node, NodeReader reader, Path folder) {
        if (node.isEmpty()) {
            return Optional.of(new Kubernetes(true, Optional.empty(), Optional.empty()));
        }
        Optional<MappingNode> mapping = reader.mapping(node.get(), "kubernetes");
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        MappingFields f = reader.fields(mapping.get(), "kubernetes", Set.of("etcd", "k3s", "k3s-airgap"), Set.of());
        boolean etcd = f.value("etcd").flatMap(v -> reader.bool(v, "kubernetes.etcd")).orElse(true);
        Optional<Path> k3s = f.value("k3s").flatMap(v -> reader.nonBlankString(v, "kubernetes.k3s")
                .flatMap(p -> existingFile(reader, v, folder, p, "kubernetes.k3s", "give the path of a k3s binary, or remove k3s:")));
        Optional<Path> airgap = f.value("k3s-airgap").flatMap(v -> reader.nonBlankString(v, "kubernetes.k3s-airgap")
                .flatMap(p -> existingFile(reader, v, folder, p, "kubernetes.k3s-airgap", "give the path of k3s-airgap-images-amd64.tar(.zst), or remove k3s-airgap:")));
        f.finish();
        return Optional.of(new Kubernetes(etcd, k3s, airgap));
    }

    private static Set<Output> outputs(Optional<Node> node, NodeReader reader) {
        if (node.isEmpty()) {
            return EnumSet.of(Output.RAW);
        }
        Set<Output> out = EnumSet.noneOf(Output.class);
        reader.sequence(node.get(), "outputs").ifPresent(seq -> {
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                int index = i;
                reader.nonBlankString(item, "outputs[" + i + "]").ifPresent(s -> {
                    Output o = OUTPUTS.get(s);
                    if (o == null) {
                        reader.error(item, "outputs[" + index + "] '" + s + "' is not an output", "write raw, iso or qcow2");
                    } else {
                        out.add(o);
                    }
                });
            }
            if (seq.getValue().isEmpty()) {
                reader.error(seq, "outputs is empty", "list at least one of raw, iso, qcow2");
            }
        });
        return out;
    }

    private static Optional<Path> existingFile(NodeReader reader, Node at, Path folder, String text, String what, String hint) {
        Path path = folder.resolve(text).normalize();
        if (!Files.isRegularFile(path)) {
            reader.error(at, what + ": " + path + (Files.exists(path) ? " is not a regular file" : " does not exist"), hint);
            return Optional.empty();
        }
        return Optional.of(path);
    }

    /** The default user-data must be valid for firstboot: its errors are reported at their own file:line:column. */
    private static boolean userDataValid(NodeReader reader, Node at, Path file) {
        Validation validation = UserDataValidator.standard().validate(file);
        if (validation.isValid()) {
            return true;
        }
        Diagnostic first = validation.errors().getFirst();
        reader.error(at, "user-data " + file + " is not valid: " + first + (validation.errors().size() > 1
                ? " (and " + (validation.errors().size() - 1) + " more)" : ""),
                "run mooring userdata validate " + file + " and fix what it reports: " + first.hint());
        return false;
    }

    private static boolean check(NodeReader reader, Node at, boolean ok, String message, String hint) {
        if (!ok) {
            reader.error(at, message, hint);
        }
        return ok;
    }
}
