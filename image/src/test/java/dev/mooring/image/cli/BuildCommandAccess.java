package dev.mooring.image.cli;

import java.nio.file.Path;
import java.util.Map;

/** Lets tests use the command's cache folder rule (package-private there). */
public final class BuildCommandAccess {

    private BuildCommandAccess() {
    }

    public static Path cacheDir(Map<String, String> env) {
        return BuildCommand.cacheDir(null, env);
    }
}
