package dev.mooring.image.cli;

import picocli.CommandLine;

/** Runs {@code image} on its own (java -cp ... dev.mooring.image.cli.ImageMain build ...); mooring wires it as a subcommand. */
public final class ImageMain {

    private ImageMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ImageCommand()).execute(args));
    }
}
