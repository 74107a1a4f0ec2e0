package dev.mooring.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.hub.api.HeartbeatBuffer;
import dev.mooring.hub.api.HubApi;
import dev.mooring.hub.api.Secrets;
import dev.mooring.hub.http.HubServer;
import dev.mooring.hub.store.JdbcStore;
import dev.mooring.hub.store.Store;
import dev.mooring.hub.testing.HubClient;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command's files and options: the generated admin token, TLS from PEM files, usage errors. */
class HubCommandTest {

    @TempDir
    Path temp;

    @Test
    void aMissingAdminTokenIsGeneratedOwnerOnlyAndKept() throws Exception {
        Path file = temp.resolve("data/admin-token");
        List<String> log = new ArrayList<>();
        String token = HubCommand.adminToken(file, true, log::add);
        assertThat(token).startsWith("ma_").hasSizeGreaterThan(40);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(log).singleElement().asString().contains(file.toString()).doesNotContain(token);
        assertThat(HubCommand.adminToken(file, true, log::add)).isEqualTo(token);
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void aGivenAdminTokenFileMustExistAndBeLongEnough() throws Exception {
        List<String> log = new ArrayList<>();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> HubCommand.adminToken(temp.resolve("nope"), false, log::add)))
                .hasMessageContaining("does not exist").hasMessageContaining("head -c 32 /dev/urandom");
        Path shortToken = Files.writeString(temp.resolve("short"), "abc\n");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> HubCommand.adminToken(shortToken, false, log::add)))
                .hasMessageContaining("at least 16");
        Path open = Files.writeString(temp.resolve("open"), "0123456789abcdef0123\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(HubCommand.adminToken(open, false, log::add)).isEqualTo("0123456789abcdef0123");
        assertThat(log).singleElement().asString().contains("chmod 600");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(new CommandLine(new HubCommand()).execute()).isEqualTo(2);
        assertThat(new CommandLine(new HubCommand()).execute("--data", temp.toString(), "--listen", "nonsense")).isEqualTo(2);
        assertThat(new CommandLine(new HubCommand()).execute("--data", temp.toString(), "--tls-cert", "x.pem")).isEqualTo(2);
        assertThat(new CommandLine(new HubCommand()).execute("--data", temp.toString(), "--admin-token-file",
                temp.resolve("missing").toString(), "--listen", "127.0.0.1:0")).isEqualTo(1);
    }

    @Test
    void speaksHttpsWithAPemCertificateAndKey() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "skipped: openssl is not installed");
        Path cert = temp.resolve("hub.pem");
        Path key = temp.resolve("hub.key");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();

        String admin = "ma_" + Secrets.secret();
        Store store = JdbcStore.sqlite(temp.resolve("data"));
        HeartbeatBuffer beats = new HeartbeatBuffer(store, Duration.ofSeconds(1), s -> { });
        try (HubServer server = HubServer.start(new InetSocketAddress("127.0.0.1", 0),
                Optional.of(HubServer.tls(cert, key)), new HubApi(store, Secrets.hash(admin), beats, Clock.systemUTC(), s -> { }),
                s -> { })) {
            assertThat(server.url()).startsWith("https://127.0.0.1:");
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(cert)) {
                trust.setCertificateEntry("hub", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HubClient client = new HubClient(server.url(), HttpClient.newBuilder().sslContext(ssl).build());
            assertThat(client.get("/api/v1/clusters", admin).status()).isEqualTo(200);
            assertThat(client.get("/api/v1/clusters", "wrong").status()).isEqualTo(401);
            // The overlay's own client, trusting the CA file its credentials name: the TLS handshake
            // succeeds and the hub's answer (an unknown key) comes back as the hub wrote it.
            var device = new dev.mooring.overlay.hub.HubClient(new dev.mooring.overlay.hub.HubCredentials(
                    java.net.URI.create(server.url()), "c1", "h1", "mk_abcdefghijklmnopqrstuvwxyz012345", Optional.of(cert)));
            assertThat(org.assertj.core.api.Assertions.catchThrowable(device::peers))
                    .hasMessageContaining("401").hasMessageContaining("register the host again");
        } finally {
            beats.close();
            store.close();
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> HubServer.tls(key, cert)))
                .hasMessageContaining("cannot use the TLS certificate");
    }
}
