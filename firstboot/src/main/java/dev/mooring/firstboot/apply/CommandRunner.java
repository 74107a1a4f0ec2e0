package dev.mooring.firstboot.apply;

import java.io.IOException;
import java.util.List;

/** Runs bootcmd, runcmd and user scripts: on this machine, or inside a root with chroot. */
public interface CommandRunner {

    /** The exit code and the combined output (the first {@link #MAX_OUTPUT} bytes). */
    record Result(int exitCode, byte[] output) {
        public Result {
            output = output.clone();
        }

        @Override
        public byte[] output() {
            return output.clone();
        }
    }

    int MAX_OUTPUT = 64 * 1024;

    /** Runs the program to its end. */
    Result run(List<String> argv) throws IOException, InterruptedException;

    /** Runs programs as a child process of this one; {@code prefix} is {@code [chroot, DIR]} or empty. */
    static CommandRunner processes(List<String> prefix, java.nio.file.Path workingDirectory) {
        return argv -> {
            List<String> command = new java.util.ArrayList<>(prefix);
            command.addAll(argv);
            Process process = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] output;
            try (var in = process.getInputStream()) {
                output = in.readNBytes(MAX_OUTPUT);
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return new Result(process.waitFor(), output);
        };
    }
}
