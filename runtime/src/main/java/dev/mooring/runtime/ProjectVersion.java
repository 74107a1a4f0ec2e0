package dev.mooring.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What {@code mooring --version} prints: the Maven project version (a resource filtered at build
 * time) and the Java runtime it runs on, so one can tell the jlinked runtime from a stock JDK.
 */
public final class ProjectVersion implements IVersionProvider {

    private static final String RESOURCE = "version.properties";

    /** The Maven project version this build was made from, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        try (InputStream in = ProjectVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the mooring jar; rebuild it with Maven");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the mooring jar", e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "mooring " + version(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ") at " + System.getProperty("java.home"),
        };
    }
}
