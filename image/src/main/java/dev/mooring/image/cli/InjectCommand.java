package dev.mooring.image.cli;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.OemContent;
import dev.mooring.image.build.OemInjector;
import dev.mooring.image.build.Tools;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mooring image inject --user-data u.yaml IMAGE [-o OUT]}: new /oem files in a built image. */
@Command(name = "inject", mixinStandardHelpOptions = true,
        description = "Write user-data (and meta-data, network-config) into /oem of a built .raw or .iso, without a rebuild. "
                + "Exit 0: written; 1: invalid user-data or the image cannot be changed (it is left as it was).")
public final class InjectCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "a .raw or .iso made by mooring image build")
    private Path image;

    @Option(names = "--user-data", required = true, paramLabel = "FILE", description = "the user-data for /oem/user-data")
    private Path userData;

    @Option(names = "--meta-data", paramLabel = "FILE", description = "NoCloud meta-data for /oem/meta-data")
    private Path metaData;

    @Option(names = "--network-config", paramLabel = "FILE", description = "network-config v2 for /oem/network-config")
    private Path networkConfig;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write a personalised copy here; default: IMAGE itself")
    private Path output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(image)) {
            err.println(image + ": error: no such image\n  hint: give the .raw or .iso that mooring image build wrote");
            err.flush();
            return 1;
        }
        OemContent content = new OemContent(userData, Optional.ofNullable(metaData), Optional.ofNullable(networkConfig));
        List<String> problems = content.problems();
        if (!problems.isEmpty()) {
            problems.forEach(err::println);
            err.println("nothing was written; " + image + " is unchanged");
            err.flush();
            return 1;
        }
        Path target = output == null ? image : output;
        try {
            new OemInjector(Tools.forBuild(315532800L)).inject(image, target, content);
            out.println("wrote /oem of " + target);
            out.flush();
            return 0;
        } catch (BuildException e) {
            err.println("error: " + e.getMessage());
            err.println("  hint: " + e.hint());
            err.flush();
            return 1;
        }
    }
}
