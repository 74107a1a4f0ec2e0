package dev.mooring.image.cli;

import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.OemContent;
import dev.mooring.image.build.SeedImage;
import dev.mooring.image.build.Tools;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mooring image seed --user-data u.yaml [--meta-data m.yaml] [--network-config n.yaml] -o seed.img}. */
@Command(name = "seed", mixinStandardHelpOptions = true,
        description = "Write a NoCloud seed image (FAT, label CIDATA) with user-data, meta-data and network-config, "
                + "to attach as a second disk. Exit 0: written; 1: invalid input or write failed.")
public final class SeedCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--user-data", required = true, paramLabel = "FILE")
    private Path userData;

    @Option(names = "--meta-data", paramLabel = "FILE", description = "default: instance-id derived from the user-data")
    private Path metaData;

    @Option(names = "--network-config", paramLabel = "FILE")
    private Path networkConfig;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "the seed image, e.g. seed.img")
    private Path output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OemContent content = new OemContent(userData, Optional.ofNullable(metaData), Optional.ofNullable(networkConfig));
        List<String> problems = content.problems();
        if (!problems.isEmpty()) {
            problems.forEach(err::println);
            err.println("nothing was written");
            err.flush();
            return 1;
        }
        try {
            new SeedImage(Tools.forBuild(315532800L)).make(content, output);
            out.println("wrote " + output + " (" + SeedImage.LABEL + ")");
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
