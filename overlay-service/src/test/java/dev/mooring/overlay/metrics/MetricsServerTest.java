package dev.mooring.overlay.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The endpoint over real HTTP on loopback (an ephemeral port, so parallel runs never collide). */
class MetricsServerTest {

    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void servesAFreshPageForEveryScrape() throws Exception {
        AtomicInteger scrapes = new AtomicInteger();
        try (MetricsServer server = MetricsServer.start(ANY_LOOPBACK_PORT, () -> "mooring_test_total " + scrapes.incrementAndGet() + "\n");
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.address().getPort() + "/metrics");
            HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(server.url())).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> second = http.send(HttpRequest.newBuilder(URI.create(server.url() + "?name[]=x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("mooring_test_total 1\n");
            assertThat(second.body()).isEqualTo("mooring_test_total 2\n");
            assertThat(first.headers().firstValue("content-type")).contains(PrometheusText.CONTENT_TYPE);

            HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create(server.url()))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();

            HttpResponse<String> elsewhere = http.send(HttpRequest.newBuilder(URI.create(server.url().replace("/metrics", "/admin"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(elsewhere.statusCode()).isEqualTo(404);
            HttpResponse<String> delete = http.send(HttpRequest.newBuilder(URI.create(server.url())).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(delete.statusCode()).isEqualTo(405);
            assertThat(delete.headers().firstValue("allow")).contains("GET, HEAD");
        }
    }

    @Test
    void aTakenPortIsAClearError() throws Exception {
        try (MetricsServer first = MetricsServer.start(ANY_LOOPBACK_PORT, () -> "")) {
            assertThatThrownBy(() -> MetricsServer.start(first.address(), () -> ""))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + first.address().getPort() + " for metrics: ")
                    .hasMessageEndingWith("pick a free port in metrics: (overlay.yaml) or write metrics: off");
        }
    }

    @Test
    void anAddressOffThisHostIsRefused() {
        assertThatThrownBy(() -> MetricsServer.start(new InetSocketAddress("0.0.0.0", 0), () -> ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback only");
    }
}
