package dev.mooring.firstboot.datasource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a NoCloud seed from a URL: {@code file://} (inside the root being configured) or
 * {@code http(s)://}, retried once a second while the network comes up, for at most
 * {@code networkWait}; every wait is logged with its reason.
 */
public final class UrlSeed {

    private final URI url;
    private final Path root;
    private final Duration networkWait;
    private final Consumer<String> log;

    public UrlSeed(URI url, Path root, Duration networkWait, Consumer<String> log) {
        this.url = url;
        this.root = root;
        this.networkWait = networkWait;
        this.log = log;
    }

    public Map<String, byte[]> read() throws DatasourceException {
        if (url.getScheme().equalsIgnoreCase("file")) {
            String path = url.getPath();
            return new SeedMedium.Directory(root.resolve(path.startsWith("/") ? path.substring(1) : path)).read();
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NORMAL).build();
        Instant deadline = Instant.now().plus(networkWait);
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String name : SeedMedium.NAMES) {
            URI file = url.resolve(name);
            while (true) {
                try {
                    HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(file).timeout(Duration.ofSeconds(10)).GET().build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    if (response.statusCode() == 200) {
                        out.put(name, response.body());
                        break;
                    }
                    if (response.statusCode() == 404 && name.equals(Seed.NETWORK_CONFIG)) {
                        break;
                    }
                    if (response.statusCode() < 500) {
                        throw new DatasourceException("GET " + file + " answered " + response.statusCode()
                                + "; check the ds=nocloud;s= URL on the kernel command line");
                    }
                    waitOrFail(deadline, file, "it answered " + response.statusCode());
                } catch (IOException e) {
                    waitOrFail(deadline, file, "the network is not up or the server does not answer (" + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DatasourceException("interrupted while reading " + file, e);
                }
            }
        }
        return out;
    }

    private void waitOrFail(Instant deadline, URI file, String reason) throws DatasourceException {
        if (Instant.now().isAfter(deadline)) {
            throw new DatasourceException("cannot read " + file + " within " + networkWait.toSeconds() + "s: " + reason, true);
        }
        log.accept("waiting for the seed " + file + ": " + reason);
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasourceException("interrupted while waiting for " + file, e);
        }
    }
}
