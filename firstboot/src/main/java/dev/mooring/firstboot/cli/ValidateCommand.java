package dev.mooring.firstboot.cli;

import dev.mooring.firstboot.userdata.UserDataValidator;
import dev.mooring.firstboot.userdata.Validation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mooring userdata validate FILE... [--format text|json]}. Exit 0 when every file is valid
 * (warnings allowed), 1 when any file is invalid or cannot be read, 2 for a usage error.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Validate user-data files. Exit 0: valid (warnings allowed), 1: invalid or unreadable, 2: usage error.")
public final class ValidateCommand implements Callable<Integer> {

    /** How the report is printed; written in lower case on the command line. */
    public enum Format {
        TEXT, JSON
    }

    /** Reads {@code text} or {@code json}. */
    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            return switch (value) {
                case "text" -> Format.TEXT;
                case "json" -> Format.JSON;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not a format: use text or json");
            };
        }
    }

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "user-data files: #cloud-config, #! scripts, MIME archives, network-config")
    private List<Path> files;

    @Option(names = "--format", defaultValue = "text", converter = FormatConverter.class, paramLabel = "text|json",
            description = "text (compiler style) or json; default ${DEFAULT-VALUE}")
    private Format format;

    @Override
    public Integer call() {
        UserDataValidator validator = UserDataValidator.standard();
        List<Validation> results = files.stream().map(validator::validate).toList();
        PrintWriter out = spec.commandLine().getOut();
        switch (format) {
            case TEXT -> ValidationReport.text(results, out);
            case JSON -> ValidationReport.json(results, out);
        }
        out.flush();
        return results.stream().allMatch(Validation::isValid) ? 0 : 1;
    }
}
