package dev.mooring.image.cli;

import picocli.CommandLine.Command;

/** {@code mooring image build|inject|seed}: the image builder's commands. */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = "Build bootable images (raw, ISO, qcow2) from an image spec; personalise them with user-data.",
        subcommands = {BuildCommand.class, InjectCommand.class, SeedCommand.class})
public final class ImageCommand {
}
