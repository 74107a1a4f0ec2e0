package dev.mooring.firstboot.datasource;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * cloud-init's NoCloud kernel argument: {@code ds=nocloud;s=URL} (also {@code nocloud-net} and
 * {@code seedfrom=URL}). The seed files are read from URL + {@code user-data} etc., so a URL
 * without a trailing '/' gets one.
 */
public final class KernelCommandLine {

    private KernelCommandLine() {
    }

    /** The seed URL, empty when the command line names no NoCloud seed. */
    public static Optional<URI> nocloudSeed(String cmdline) throws DatasourceException {
        for (String word : cmdline.strip().split("\\s+")) {
            if (!word.startsWith("ds=")) {
                continue;
            }
            String[] fields = word.substring(3).split(";");
            String ds = fields[0].toLowerCase(Locale.ROOT);
            if (!ds.equals("nocloud") && !ds.equals("nocloud-net")) {
                continue;
            }
            for (int i = 1; i < fields.length; i++) {
                String f = fields[i];
                String url = f.startsWith("s=") ? f.substring(2) : f.startsWith("seedfrom=") ? f.substring(9) : null;
                if (url != null) {
                    return Optional.of(parse(url, word));
                }
            }
        }
        return Optional.empty();
    }

    private static URI parse(String url, String word) throws DatasourceException {
        try {
            URI uri = new URI(url.endsWith("/") ? url : url + "/");
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("file") && !scheme.equals("http") && !scheme.equals("https")) {
                throw new DatasourceException("kernel command line '" + word + "': the seed URL must be file://, http:// or https://");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new DatasourceException("kernel command line '" + word + "': '" + url + "' is not a URL (" + e.getReason() + ")");
        }
    }
}
