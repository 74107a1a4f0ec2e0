package dev.mooring.hub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.hub.testing.HubProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Load on the hub (embedded store, a child JVM on loopback): 1,000 hosts registering at once, then
 * 2,000 hosts heartbeating once a second for 60 s, each at its own phase in the second. The load
 * generator is bounded: at most {@value #IN_FLIGHT} requests (and so connections) at a time, and
 * every phase ends by the clock. Heartbeat latency counts from when the beat was due, so a hub
 * that falls behind shows it (no coordinated omission). Prints two JSON lines (figures
 * hub-register-burst and hub-heartbeat-latency). Options: --seconds=N (60), --hosts=N (2000),
 * --warm-up=N (10 s of beats before the measured ones).
 */
public final class HubLoadBench {

    private static final int IN_FLIGHT = 64;
    private static final int REGISTER_BURST = 1000;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Host(String hostId, String apiKey) {}

    private record Outcome(double millis, boolean ok) {}

    public static void main(String[] args) throws Exception {
        int seconds = intArg(args, "seconds", 60);
        int hostCount = intArg(args, "hosts", 2000);
        int warmUp = intArg(args, "warm-up", 10);
        String loadBefore = loadAverage();
        Path dir = Files.createTempDirectory("mooring-hub-bench");
        try (HubProcess hub = HubProcess.start(dir.resolve("data"), List.of("-Xmx512m"))) {
            String admin = Files.readString(dir.resolve("data/admin-token")).trim();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
            String base = hub.url();
            send(http, base, "POST", "/api/v1/clusters", admin, "{\"name\":\"bench\",\"cidr\":\"100.64.0.0/16\"}").join();
            String token = JSON.readTree(send(http, base, "POST", "/api/v1/clusters/bench/tokens", admin, "{}").join().body())
                    .get("token").asText();

            // Phase 1: the burst. Every registration is sent at once (bounded by IN_FLIGHT); latency is per request.
            Semaphore slots = new Semaphore(IN_FLIGHT);
            ConcurrentLinkedQueue<Outcome> burst = new ConcurrentLinkedQueue<>();
            List<Host> hosts = Collections.synchronizedList(new ArrayList<>());
            long burstStart = System.nanoTime();
            registerAll(http, base, token, 0, REGISTER_BURST, slots, burst, hosts);
            double burstMillis = (System.nanoTime() - burstStart) / 1e6;
            // The rest of the hosts, not measured.
            registerAll(http, base, token, REGISTER_BURST, hostCount, slots, new ConcurrentLinkedQueue<>(), hosts);

            // Phase 2: every host beats once a second at its own offset; first a warm-up (not counted:
            // the hub's JIT has not compiled the heartbeat path yet), then the measured run.
            List<Host> all = List.copyOf(hosts);
            beat(http, base, all, warmUp, slots, new ConcurrentLinkedQueue<>(), new AtomicLong());
            ConcurrentLinkedQueue<Outcome> beats = new ConcurrentLinkedQueue<>();
            AtomicLong late = new AtomicLong();
            long start = System.nanoTime();
            beat(http, base, all, seconds, slots, beats, late);
            double beatSeconds = (System.nanoTime() - start) / 1e9;

            // Every host is in the table once, with a distinct address.
            JsonNode table = JSON.readTree(send(http, base, "GET", "/api/v1/clusters/bench/hosts", admin, null).join().body());
            long distinct = java.util.stream.StreamSupport.stream(table.spliterator(), false)
                    .map(n -> n.get("overlay").asText()).distinct().count();

            System.out.println(figure("hub-register-burst", burst, String.format(Locale.ROOT,
                    "%d registrations sent at once (at most %d in flight) to a fresh hub (SQLite, synchronous=FULL): %.0f"
                            + " registrations/s, all done in %.0f ms, %d errors; %d hosts in the table with %d distinct addresses",
                    REGISTER_BURST, IN_FLIGHT, REGISTER_BURST / (burstMillis / 1000), burstMillis, errors(burst), table.size(),
                    distinct) + "; load average before " + loadBefore + ", after " + loadAverage(), Integer.MAX_VALUE));
            System.out.println(figure("hub-heartbeat-latency", beats, String.format(Locale.ROOT,
                    "%d hosts beating once a second for %d s after a %d s warm-up (latency from when each beat was due): %d beats, %.0f beats/s,"
                            + " %d errors, exact p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d beats sent more than 5 ms late by the"
                            + " generator; samples: a random 20,000 of them",
                    all.size(), seconds, warmUp, beats.size(), beats.size() / beatSeconds, errors(beats), pct(beats, 50), pct(beats, 99),
                    pct(beats, 100), late.get()) + "; load average before " + loadBefore + ", after " + loadAverage(), 20_000));
            hub.stop();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Every host beats once a second for {@code seconds}, host i at i/n of each second. */
    private static void beat(HttpClient http, String base, List<Host> all, int seconds, Semaphore slots,
                             ConcurrentLinkedQueue<Outcome> beats, AtomicLong late) throws Exception {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (int s = 0; s < seconds; s++) {
            for (int i = 0; i < all.size(); i++) {
                long due = start + TimeUnit.SECONDS.toNanos(s) + TimeUnit.SECONDS.toNanos(1) * i / all.size();
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } else if (wait < -TimeUnit.MILLISECONDS.toNanos(5)) {
                    late.incrementAndGet();
                }
                Host h = all.get(i);
                slots.acquire();
                String body = "{\"addresses\":[\"198.51.100." + (1 + (i + s) % 250) + "\"],\"status\":\"ready\",\"vipHolder\":false}";
                pending.add(send(http, base, "POST", "/api/v1/hosts/" + h.hostId() + "/heartbeat", h.apiKey(), body)
                        .handle((r, e) -> {
                            slots.release();
                            beats.add(new Outcome((System.nanoTime() - due) / 1e6, e == null && r.statusCode() == 204));
                            return null;
                        }));
            }
            pending.removeIf(CompletableFuture::isDone);
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    private static void registerAll(HttpClient http, String base, String token, int from, int to, Semaphore slots,
                                    ConcurrentLinkedQueue<Outcome> outcomes, List<Host> hosts) throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = from; i < to; i++) {
            slots.acquire();
            long sent = System.nanoTime();
            String body = "{\"machineId\":\"bench-" + i + "\",\"hostname\":\"bench-" + i + "\",\"role\":\"worker\","
                    + "\"addresses\":[\"198.51.100." + (1 + i % 250) + "\"],\"version\":\"bench\"}";
            all.add(send(http, base, "POST", "/api/v1/register", token, body).handle((r, e) -> {
                slots.release();
                boolean ok = e == null && r.statusCode() == 201;
                outcomes.add(new Outcome((System.nanoTime() - sent) / 1e6, ok));
                if (ok) {
                    try {
                        JsonNode n = JSON.readTree(r.body());
                        hosts.add(new Host(n.get("hostId").asText(), n.get("apiKey").asText()));
                    } catch (Exception parse) {
                        outcomes.add(new Outcome(0, false));
                    }
                }
                return null;
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    }

    private static CompletableFuture<HttpResponse<String>> send(HttpClient http, String base, String method, String path,
                                                                String secret, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + secret)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long errors(ConcurrentLinkedQueue<Outcome> outcomes) {
        return outcomes.stream().filter(o -> !o.ok()).count();
    }

    private static double pct(ConcurrentLinkedQueue<Outcome> outcomes, double p) {
        double[] v = outcomes.stream().mapToDouble(Outcome::millis).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(v.length - 1, Math.ceil(p / 100 * v.length) - 1);
        return v[Math.max(0, i)];
    }

    private static String figure(String name, ConcurrentLinkedQueue<Outcome> outcomes, String notes, int maxSamples) {
        List<Double> samples = outcomes.stream().map(Outcome::millis).collect(Collectors.toCollection(ArrayList::new));
        if (samples.size() > maxSamples) {
            Collections.shuffle(samples, new Random(1));
            samples = samples.subList(0, maxSamples);
        }
        String array = samples.stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).collect(Collectors.joining(",", "[", "]"));
        return "{\"figure\":\"" + name + "\",\"unit\":\"ms\",\"samples\":" + array + ",\"notes\":\"" + notes.replace("\"", "'") + "\"}";
    }

    /** The 1-minute load average: on a shared machine the figures mean little without it. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + " on " + Runtime.getRuntime().availableProcessors()
                    + " cores";
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static int intArg(String[] args, String key, int fallback) {
        return Arrays.stream(args).filter(a -> a.startsWith("--" + key + "=")).map(a -> Integer.parseInt(a.substring(key.length() + 3)))
                .findFirst().orElse(fallback);
    }
}
