package dev.mooring.image.cli;

import dev.mooring.firstboot.diagnostic.Diagnostic;
import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.ImageBuild;
import dev.mooring.image.build.RuntimeLocator;
import dev.mooring.image.spec.ImageSpec;
import dev.mooring.image.spec.ImageSpecParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mooring image build image.yaml [-o out/] [--cache DIR]}. Exit 0: built; 1: the spec is
 * invalid or the build failed (a message says what to do); 2: usage error.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build the image a spec describes: out/<name>.raw (and .iso, .qcow2 as listed), .vmlinuz, .initrd and the report <name>.json.")
public final class BuildCommand implements Callable<Integer> {

    /** Where cached root filesystems live when neither --cache nor MOORING_IMAGE_CACHE says otherwise. */
    public static final String ROOT_CACHE = "/var/cache/mooring/images";

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SPEC", description = "the image spec (image.yaml)")
    private Path specFile;

    @Option(names = {"-o", "--output"}, defaultValue = "out", paramLabel = "DIR", description = "output folder; default ${DEFAULT-VALUE}")
    private Path outDir;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "cache of root filesystems; default $MOORING_IMAGE_CACHE, else " + ROOT_CACHE + " as root, else ~/.cache/mooring/images")
    private Path cache;

    @Option(names = "--plain", description = "plain progress lines even on a terminal")
    private boolean plain;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ImageSpecParser.Result parsed = ImageSpecParser.standard().parse(specFile);
        for (Diagnostic d : parsed.diagnostics()) {
            err.println(d);
            err.println("  hint: " + d.hint());
        }
        if (parsed.spec().isEmpty()) {
            err.println(specFile + ": " + parsed.errors().size() + " error(s); nothing was built");
            err.flush();
            return 1;
        }
        ImageSpec image = parsed.spec().get();
        try {
            ImageBuild build = new ImageBuild(image, outDir, cacheDir(), RuntimeLocator.find(image.runtime()),
                    new ProgressDisplay(out, !plain && System.console() != null && System.console().isTerminal()));
            ImageBuild.Result result = build.run();
            for (Map.Entry<String, Path> e : result.files().entrySet()) {
                out.println(e.getKey() + ": " + e.getValue());
            }
            out.println("report: " + result.report());
            out.flush();
            return 0;
        } catch (BuildException e) {
            out.flush();
            err.println("error: " + e.getMessage());
            err.println("  hint: " + e.hint());
            err.flush();
            return 1;
        }
    }

    private Path cacheDir() {
        return cacheDir(cache, System.getenv());
    }

    static Path cacheDir(Path given, Map<String, String> env) {
        if (given != null) {
            return given;
        }
        String fromEnv = env.get("MOORING_IMAGE_CACHE");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of(ROOT_CACHE);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "mooring", "images");
    }
}
