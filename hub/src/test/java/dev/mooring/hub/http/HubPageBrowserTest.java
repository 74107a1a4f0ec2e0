package dev.mooring.hub.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.hub.store.JdbcStore;
import dev.mooring.hub.testing.HubClient.Reply;
import dev.mooring.hub.testing.HubFixture;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub's page in Debian's headless Chromium: after it has fetched the API, the DOM and the
 * screenshot show registered hosts with their overlay and external IPs. Skipped, saying why,
 * where Chromium is not installed (hub/packages.txt installs it).
 */
class HubPageBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path temp;

    @Test
    void thePageShowsOverlayAndExternalIpsOfRegisteredHosts() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "skipped: " + CHROMIUM + " is not installed (apt-get install chromium)");
        try (HubFixture hub = new HubFixture(JdbcStore.sqlite(temp.resolve("data")))) {
            hub.cluster("store-0042", "100.64.192.0/23");
            String token = hub.token("store-0042", "{}");
            Reply cp1 = hub.register(token, "machine-cp1", "store-0042-cp1", "198.51.100.11");
            Reply w1 = hub.register(token, "machine-w1", "store-0042-w1", "198.51.100.12");
            assertThat(hub.client.post("/api/v1/hosts/" + cp1.field("hostId") + "/heartbeat", cp1.field("apiKey"),
                    "{\"addresses\":[\"203.0.113.41\"],\"status\":\"ready\",\"vipHolder\":true}").status()).isEqualTo(204);
            String url = hub.url() + "/#token=" + hub.adminToken;

            String dom = chromium(List.of("--dump-dom", url), temp.resolve("profile-dom"));
            assertThat(dom).contains("<th>Overlay IP</th>").contains("<th>External IP</th>");
            assertThat(dom).contains("store-0042-cp1").contains("store-0042-w1");
            assertThat(dom).contains("<td class=\"ip overlay-ip\">" + cp1.field("address") + "</td>");
            assertThat(dom).contains("<td class=\"ip overlay-ip\">" + w1.field("address") + "</td>");
            assertThat(dom).contains("<td class=\"ip external-ip\">203.0.113.41</td>");
            assertThat(dom).contains("<td class=\"ip external-ip\">198.51.100.12</td>");
            assertThat(dom).contains("yes (100.64.192.1)");
            // The token left the address bar and is not in the page.
            assertThat(dom).doesNotContain(hub.adminToken);

            Path png = temp.resolve("hub.png");
            chromium(List.of("--screenshot=" + png, "--window-size=1280,720", url), temp.resolve("profile-png"));
            assertThat(Files.size(png)).as("screenshot size").isGreaterThan(10_000);
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image.getWidth()).isEqualTo(1280);
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < image.getHeight(); y += 3) {
                for (int x = 0; x < image.getWidth(); x += 3) {
                    colours.add(image.getRGB(x, y));
                }
            }
            // Text, the header bar and the table: far more than a blank or single-colour page.
            assertThat(colours.size()).as("distinct colours in the screenshot").isGreaterThan(20);
            // The header bar (#0b3d5c) is drawn: the stylesheet loaded.
            assertThat(image.getRGB(10, 10) & 0xffffff).isEqualTo(0x0b3d5c);
        }
    }

    private static String chromium(List<String> args, Path profile) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--virtual-time-budget=10000"));
        command.addAll(args);
        Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
        Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("chromium did not finish in 120 s: " + Files.readString(err));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("chromium exited " + p.exitValue() + ": " + Files.readString(err));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            // Chromium's helpers (zygote, renderer) by PID, then Chromium itself.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.onExit().join();
        }
    }
}
