package dev.mooring.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mooring.hub.store.Store;
import dev.mooring.hub.testing.HubClient.Reply;
import dev.mooring.hub.testing.HubFixture;
import dev.mooring.hub.testing.MutableClock;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hub API v1 against a real store: the same suite for the embedded store and PostgreSQL
 * (subclasses say which). Every test starts from an empty store.
 */
abstract class HubApiContract {

    /** A store: a new empty one, or ({@code fresh} false) the one the last call opened, again. */
    protected abstract Store openStore(boolean fresh) throws Exception;

    private final MutableClock clock = new MutableClock();
    private HubFixture hub;

    @BeforeEach
    void startHub() throws Exception {
        hub = new HubFixture(openStore(true), clock);
    }

    @AfterEach
    void stopHub() {
        if (hub != null) {
            hub.close();
        }
    }

    private String admin() {
        return hub.adminToken;
    }

    // ---- clusters -------------------------------------------------------------------------------

    @Test
    void aClusterIsCreatedOnceAndItsCidrAndVipAreFixed() {
        Reply created = hub.client.post("/api/v1/clusters", admin(), "{\"name\":\"store-1\",\"cidr\":\"100.64.192.0/23\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.field("vip")).isEqualTo("100.64.192.1");
        assertThat(created.json().get("vni").asInt()).isEqualTo(4242);
        assertThat(created.json().get("port").asInt()).isEqualTo(4789);
        assertThat(java.util.Base64.getDecoder().decode(created.field("key"))).hasSize(32);

        Reply again = hub.client.post("/api/v1/clusters", admin(), "{\"name\":\"store-1\",\"cidr\":\"100.64.192.0/23\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.field("key")).isEqualTo(created.field("key"));

        Reply otherCidr = hub.client.post("/api/v1/clusters", admin(), "{\"name\":\"store-1\",\"cidr\":\"100.64.0.0/16\"}");
        assertThat(otherCidr.status()).isEqualTo(409);
        assertThat(otherCidr.field("error")).isEqualTo("conflict");
        assertThat(otherCidr.field("message")).contains("cidr 100.64.192.0/23").contains("fixed");
        Reply otherVip = hub.client.post("/api/v1/clusters", admin(),
                "{\"name\":\"store-1\",\"cidr\":\"100.64.192.0/23\",\"vip\":\"100.64.192.9\"}");
        assertThat(otherVip.status()).isEqualTo(409);
        assertThat(otherVip.field("message")).contains("vip 100.64.192.1");

        Reply list = hub.client.get("/api/v1/clusters", admin());
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json()).hasSize(1);
        assertThat(list.json().get(0).get("hosts").asInt()).isZero();
        assertThat(list.json().get(0).has("key")).isFalse();
    }

    @Test
    void badClusterSettingsAreRefusedWithTheField() {
        assertThat(create("{\"name\":\"Bad_Name\",\"cidr\":\"100.64.0.0/16\"}").field("message")).contains("name");
        assertThat(create("{\"name\":\"a\",\"cidr\":\"100.64.0.1/16\"}").field("message")).contains("cidr").contains("host bits");
        assertThat(create("{\"name\":\"a\",\"cidr\":\"100.64.0.0/30\"}").field("message")).contains("/8 .. /29");
        assertThat(create("{\"name\":\"a\",\"cidr\":\"100.64.0.0/16\",\"vip\":\"10.0.0.1\"}").field("message")).contains("vip");
        assertThat(create("{\"name\":\"a\",\"cidr\":\"100.64.0.0/16\",\"vni\":0}").field("message")).contains("vni");
        assertThat(create("{\"name\":\"a\",\"cidr\":\"100.64.0.0/16\",\"port\":8472}").field("message")).contains("flannel");
        assertThat(create("{\"cidr\":\"100.64.0.0/16\"}").field("message")).contains("'name' is missing");
        assertThat(create("{\"name\":\"a\",\"cidr\":\"100.64.0.0/16\",\"colour\":1}").field("message"))
                .contains("unknown field 'colour'");
    }

    private Reply create(String body) {
        Reply r = hub.client.post("/api/v1/clusters", admin(), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.field("error")).isEqualTo("bad-request");
        return r;
    }

    // ---- registration and addresses -------------------------------------------------------------

    @Test
    void addressesAreGivenInOrderSkippingTheVipUntilTheCidrIsExhausted() {
        hub.cluster("tiny", "100.64.0.0/29"); // usable .1 - .6, VIP .1
        String token = hub.token("tiny", "{}");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Reply r = hub.register(token, "m" + i, "h" + i, "198.51.100." + (10 + i));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            got.add(r.field("address"));
        }
        assertThat(got).containsExactly("100.64.0.2", "100.64.0.3", "100.64.0.4", "100.64.0.5", "100.64.0.6");
        Reply full = hub.register(token, "m9", "h9", "198.51.100.99");
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.field("message")).contains("every address").contains("100.64.0.0/29");
    }

    @Test
    void registeringAgainKeepsIdAndAddressAndReplacesTheKey() {
        String key = hub.cluster("store-1", "100.64.192.0/23");
        String token = hub.token("store-1", "{}");
        Reply first = hub.register(token, "machine-a", "h1", "198.51.100.11");
        assertThat(first.status()).isEqualTo(201);
        JsonNode cluster = first.json().get("cluster");
        assertThat(cluster.get("name").asText()).isEqualTo("store-1");
        assertThat(cluster.get("cidr").asText()).isEqualTo("100.64.192.0/23");
        assertThat(cluster.get("key").asText()).isEqualTo(key);
        assertThat(first.field("apiKey")).startsWith("mk_");

        Reply second = hub.register(token, "machine-a", "h1", "203.0.113.11");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.field("hostId")).isEqualTo(first.field("hostId"));
        assertThat(second.field("address")).isEqualTo(first.field("address"));
        assertThat(second.field("apiKey")).isNotEqualTo(first.field("apiKey"));

        String beat = "{\"addresses\":[\"203.0.113.11\"],\"status\":\"ready\",\"vipHolder\":false}";
        String path = "/api/v1/hosts/" + first.field("hostId") + "/heartbeat";
        assertThat(hub.client.post(path, first.field("apiKey"), beat).status()).isEqualTo(401);
        assertThat(hub.client.post(path, second.field("apiKey"), beat).status()).isEqualTo(204);
        assertThat(hub.client.get("/api/v1/clusters", admin()).json().get(0).get("hosts").asInt()).isEqualTo(1);
    }

    @Test
    void aRemovedHostsAddressIsNeverGivenOutAgain() {
        hub.cluster("store-1", "100.64.192.0/23");
        String token = hub.token("store-1", "{}");
        Reply a = hub.register(token, "machine-a", "h1", "198.51.100.11");
        assertThat(a.field("address")).isEqualTo("100.64.192.2");
        assertThat(hub.client.delete("/api/v1/clusters/store-1/hosts/" + a.field("hostId"), admin()).status()).isEqualTo(204);
        assertThat(hub.client.delete("/api/v1/clusters/store-1/hosts/" + a.field("hostId"), admin()).status()).isEqualTo(404);
        assertThat(hub.client.get("/api/v1/clusters/store-1/hosts", admin()).json()).isEmpty();
        // The removed host's key is gone with it.
        assertThat(hub.client.get("/api/v1/clusters/store-1/peers", a.field("apiKey")).status()).isEqualTo(401);

        Reply b = hub.register(token, "machine-b", "h2", "198.51.100.12");
        assertThat(b.field("address")).isEqualTo("100.64.192.3");
        Reply aAgain = hub.register(token, "machine-a", "h1", "198.51.100.11");
        assertThat(aAgain.status()).isEqualTo(201);
        assertThat(aAgain.field("hostId")).isNotEqualTo(a.field("hostId"));
        assertThat(aAgain.field("address")).isEqualTo("100.64.192.4");
        // A removed address cannot be claimed either.
        Reply claim = hub.client.post("/api/v1/register", token, "{\"machineId\":\"machine-c\",\"hostname\":\"h3\","
                + "\"role\":\"worker\",\"addresses\":[],\"version\":\"1\",\"overlayAddress\":\"100.64.192.2\"}");
        assertThat(claim.status()).isEqualTo(409);
    }

    @Test
    void anAddressTheHostAlreadyUsesIsHonouredWhenFree() {
        hub.cluster("store-1", "100.64.192.0/23");
        String token = hub.token("store-1", "{}");
        Reply claimed = claim(token, "m1", "100.64.193.77");
        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(201);
        assertThat(claimed.field("address")).isEqualTo("100.64.193.77");
        assertThat(claim(token, "m2", "100.64.193.77").status()).isEqualTo(409);
        assertThat(claim(token, "m3", "100.64.192.1").field("message")).contains("VIP");
        assertThat(claim(token, "m4", "10.1.2.3").status()).isEqualTo(409);
        assertThat(claim(token, "m5", "100.64.193.255").status()).isEqualTo(409);
        assertThat(claim(token, "m6", "100.64.193.256").status()).isEqualTo(400);
        Reply next = hub.register(token, "m7", "h7", "198.51.100.17");
        assertThat(next.field("address")).isEqualTo("100.64.192.2");
    }

    private Reply claim(String token, String machine, String address) {
        return hub.client.post("/api/v1/register", token, "{\"machineId\":\"" + machine + "\",\"hostname\":\"" + machine
                + "\",\"role\":\"control-plane\",\"addresses\":[\"198.51.100.5\"],\"version\":\"1\",\"overlayAddress\":\""
                + address + "\"}");
    }

    @Test
    void concurrentRegistrationsGetDistinctAddresses() throws Exception {
        hub.cluster("store-1", "100.64.192.0/23");
        String token = hub.token("store-1", "{}");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Reply>> replies = IntStream.range(0, 60)
                    // every machine twice: both answers must agree
                    .mapToObj(i -> pool.submit(() -> hub.register(token, "m" + (i % 30), "h" + (i % 30), "198.51.100.1")))
                    .toList();
            Set<String> addresses = new HashSet<>();
            java.util.Map<String, String> byHost = new java.util.HashMap<>();
            for (Future<Reply> f : replies) {
                Reply r = f.get();
                assertThat(r.status()).as(r.toString()).isIn(200, 201);
                String previous = byHost.put(r.field("hostId"), r.field("address"));
                assertThat(previous == null || previous.equals(r.field("address"))).isTrue();
                addresses.add(r.field("address"));
            }
            assertThat(byHost).hasSize(30);
            assertThat(addresses).hasSize(30);
            assertThat(hub.store.assignedAddresses("store-1")).hasSize(30).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void heartbeatsShowInTheHostTableAndThePeerList() throws Exception {
        hub.cluster("store-1", "100.64.192.0/23");
        String token = hub.token("store-1", "{}");
        Reply a = hub.register(token, "machine-a", "h1", "198.51.100.11");
        Reply b = hub.register(token, "machine-b", "h2", "198.51.100.12");
        Reply beat = hub.client.post("/api/v1/hosts/" + a.field("hostId") + "/heartbeat", a.field("apiKey"),
                "{\"addresses\":[\"203.0.113.50\"],\"status\":\"ready\",\"vipHolder\":true}");
        assertThat(beat.status()).as(beat.toString()).isEqualTo(204);
        assertThat(beat.body()).isEmpty();

        JsonNode hosts = hub.client.get("/api/v1/clusters/store-1/hosts", admin()).json();
        assertThat(hosts).hasSize(2);
        JsonNode h1 = hosts.get(0);
        assertThat(h1.get("hostname").asText()).isEqualTo("h1");
        assertThat(h1.get("underlay").get(0).asText()).isEqualTo("203.0.113.50");
        assertThat(h1.get("vipHolder").asBoolean()).isTrue();
        assertThat(h1.get("status").asText()).isEqualTo("ready");
        assertThat(h1.get("machineId").asText()).isEqualTo("machine-a");
        for (String field : List.of("hostId", "machineId", "hostname", "role", "overlay", "underlay", "version", "status",
                "lastSeen", "vipHolder")) {
            assertThat(h1.has(field)).as(field).isTrue();
        }

        Reply peers = hub.client.get("/api/v1/clusters/store-1/peers", b.field("apiKey"));
        assertThat(peers.status()).isEqualTo(200);
        assertThat(peers.json()).hasSize(2);
        assertThat(peers.json().get(0).get("underlay").get(0).asText()).isEqualTo("203.0.113.50");
        assertThat(peers.json().get(0).has("machineId")).isFalse();

        // Written to the store within the flush interval: a new store over the same data sees it.
        Thread.sleep(600);
        assertThat(hub.store.host(a.field("hostId")).orElseThrow().underlay()).containsExactly("203.0.113.50");
    }

    @Test
    void tokensLimitUsesAndRevokedTokensRegisterNobody() {
        hub.cluster("store-1", "100.64.192.0/23");
        Reply once = hub.client.post("/api/v1/clusters/store-1/tokens", admin(), "{\"ttl\":\"1h\",\"uses\":1}");
        assertThat(once.status()).isEqualTo(201);
        assertThat(once.json().get("uses").asInt()).isEqualTo(1);
        assertThat(hub.register(once.field("token"), "m1", "h1", "198.51.100.1").status()).isEqualTo(201);
        Reply used = hub.register(once.field("token"), "m2", "h2", "198.51.100.2");
        assertThat(used.status()).isEqualTo(401);
        assertThat(used.field("message")).contains("used");

        Reply other = hub.client.post("/api/v1/clusters/store-1/tokens", admin(), "");
        assertThat(other.status()).isEqualTo(201);
        assertThat(hub.client.delete("/api/v1/clusters/store-1/tokens/" + other.field("id"), admin()).status()).isEqualTo(204);
        Reply revoked = hub.register(other.field("token"), "m3", "h3", "198.51.100.3");
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.field("message")).contains("revoked");
        assertThat(hub.client.delete("/api/v1/clusters/store-1/tokens/t-nope", admin()).status()).isEqualTo(404);
        assertThat(hub.client.post("/api/v1/clusters/store-1/tokens", admin(), "{\"ttl\":\"forever\"}").status()).isEqualTo(400);
        assertThat(hub.client.post("/api/v1/clusters/nope/tokens", admin(), "{}").status()).isEqualTo(404);
    }

    @Test
    void anExpiredTokenRegistersNobody() {
        hub.cluster("store-1", "100.64.192.0/23");
        String token = hub.token("store-1", "{\"ttl\":\"10m\"}");
        clock.advance(Duration.ofMinutes(11));
        Reply r = hub.register(token, "m1", "h1", "198.51.100.1");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.field("message")).contains("expired");
    }

    // ---- security -------------------------------------------------------------------------------

    private record Endpoint(String method, String path, String body) {}

    private List<Endpoint> endpoints(String hostId) {
        return endpoints(hostId, hostId);
    }

    /** Every endpoint; the host removal names {@code removable}. */
    private List<Endpoint> endpoints(String hostId, String removable) {
        String beat = "{\"addresses\":[\"198.51.100.1\"],\"status\":\"ready\",\"vipHolder\":false}";
        return List.of(
                new Endpoint("POST", "/api/v1/clusters", "{\"name\":\"x\",\"cidr\":\"100.64.0.0/16\"}"),
                new Endpoint("GET", "/api/v1/clusters", null),
                new Endpoint("POST", "/api/v1/clusters/store-1/tokens", "{}"),
                new Endpoint("DELETE", "/api/v1/clusters/store-1/tokens/t-000000000000", null),
                new Endpoint("GET", "/api/v1/clusters/store-1/hosts", null),
                new Endpoint("DELETE", "/api/v1/clusters/store-1/hosts/" + removable, null),
                new Endpoint("POST", "/api/v1/register", "{\"machineId\":\"m\",\"hostname\":\"h\",\"role\":\"worker\","
                        + "\"addresses\":[],\"version\":\"1\"}"),
                new Endpoint("POST", "/api/v1/hosts/" + hostId + "/heartbeat", beat),
                new Endpoint("GET", "/api/v1/clusters/store-1/peers", null));
    }

    @Test
    void everyEndpointRefusesMissingOrWrongCredentials() {
        hub.cluster("store-1", "100.64.192.0/23");
        String token = hub.token("store-1", "{}");
        Reply host = hub.register(token, "m1", "h1", "198.51.100.1");
        String hostId = host.field("hostId");
        String apiKey = host.field("apiKey");
        // The real key with its secret's first character changed (all six bits of it count; the last
        // character's low bits are padding, and the old "last character := A" was the real key 1 in 64).
        String secret0 = apiKey.substring(apiKey.indexOf('.') + 1);
        String altered = (secret0.charAt(0) == 'A' ? "B" : "A") + secret0.substring(1);
        List<String> wrong = new ArrayList<>(List.of("", "wrong", admin() + "x", "mk_" + hostId + ".AAAA",
                "mk_" + hostId + "." + altered,
                "mt_" + token.substring(3, token.indexOf('.')) + ".nope", "mk_.x", "mt_."));
        for (Endpoint e : endpoints(hostId)) {
            Reply none = hub.client.call(e.method(), e.path(), null, e.body());
            assertThat(none.status()).as(e + " without credentials: " + none).isEqualTo(401);
            assertThat(none.field("error")).isEqualTo("unauthorized");
            for (String secret : wrong) {
                Reply r = hub.client.call(e.method(), e.path(), secret, e.body());
                assertThat(r.status()).as(e + " with '" + secret + "': " + r).isEqualTo(401);
            }
            boolean adminEndpoint = !e.path().contains("/register") && !e.path().contains("/heartbeat")
                    && !e.path().endsWith("/peers");
            if (adminEndpoint) {
                // A host's key and a registration token are not the admin token.
                assertThat(hub.client.call(e.method(), e.path(), apiKey, e.body()).status()).as(e + " with a host key").isEqualTo(401);
                assertThat(hub.client.call(e.method(), e.path(), token, e.body()).status()).as(e + " with a token").isEqualTo(401);
            }
        }
        // The admin token registers nobody, and a host key is no registration token.
        assertThat(hub.client.call("POST", "/api/v1/register", admin(), endpoints(hostId).get(6).body()).status()).isEqualTo(401);
        assertThat(hub.client.call("POST", "/api/v1/register", apiKey, endpoints(hostId).get(6).body()).status()).isEqualTo(401);
        // A raw "Basic" header is not a bearer.
        assertThat(hub.client.get("/api/v1/clusters", null).status()).isEqualTo(401);
    }

    @Test
    void aHostsKeyCannotReadAnotherClusterOrBeatForAnotherHost() {
        hub.cluster("store-1", "100.64.192.0/23");
        hub.cluster("store-2", "100.64.200.0/23");
        Reply a = hub.register(hub.token("store-1", "{}"), "m1", "h1", "198.51.100.1");
        Reply b = hub.register(hub.token("store-2", "{}"), "m2", "h2", "198.51.100.2");
        assertThat(b.field("address")).isEqualTo("100.64.200.2");

        Reply foreign = hub.client.get("/api/v1/clusters/store-2/peers", a.field("apiKey"));
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.field("error")).isEqualTo("forbidden");
        assertThat(hub.client.get("/api/v1/clusters/store-1/peers", a.field("apiKey")).status()).isEqualTo(200);
        Reply otherHost = hub.client.post("/api/v1/hosts/" + b.field("hostId") + "/heartbeat", a.field("apiKey"),
                "{\"addresses\":[],\"status\":\"ready\",\"vipHolder\":false}");
        assertThat(otherHost.status()).isEqualTo(403);
        // A token of one cluster registers into that cluster only.
        assertThat(a.json().get("cluster").get("name").asText()).isEqualTo("store-1");
    }

    // ---- bad input ------------------------------------------------------------------------------

    @Test
    void garbageToEveryEndpointIsAClientErrorNeverA500() {
        hub.cluster("store-1", "100.64.192.0/23");
        String token = hub.token("store-1", "{}");
        Reply host = hub.register(token, "m1", "h1", "198.51.100.1");
        String hostId = host.field("hostId");
        String victim = hub.register(token, "m2", "h2", "198.51.100.2").field("hostId");
        Random random = new Random(42);
        List<String> bodies = new ArrayList<>(List.of("", "{", "}", "null", "[]", "42", "\"x\"", "true", "{\"a\":1}",
                "{\"name\":1}", "{\"name\":\"x\",\"cidr\":[]}", "{\"addresses\":\"198.51.100.1\"}", "{\"addresses\":[1,2]}",
                "{\"addresses\":[null]}", "{\"vipHolder\":\"yes\"}", "{\"uses\":1.5}", "{\"ttl\":-1}", "{\"vni\":1e999}",
                "{\"name\":\"x\",\"name\":\"y\"}", "{} {}", "[".repeat(5000), "{\"machineId\":\"\\u0000\"}",
                "{\"addresses\":[\"" + "1".repeat(10000) + "\"]}", "\u00ff\u00fe", "{\"hostname\":\"a b\"}"));
        for (int i = 0; i < 40; i++) {
            byte[] b = new byte[random.nextInt(300)];
            random.nextBytes(b);
            bodies.add(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        for (Endpoint e : endpoints(hostId, victim)) {
            String secret = e.path().contains("/register") ? token
                    : e.path().contains("/heartbeat") || e.path().endsWith("/peers") ? host.field("apiKey") : admin();
            for (String body : bodies) {
                Reply r = hub.client.call(e.method(), e.path(), secret, body);
                assertThat(r.status()).as(e.method() + " " + e.path() + " with " + abbreviate(body) + ": " + r)
                        .isBetween(200, 499);
                if (r.status() >= 400) {
                    assertThat(r.field("message")).isNotBlank();
                }
            }
        }
        // The host key still works: garbage changed nothing.
        assertThat(hub.client.get("/api/v1/clusters/store-1/peers", host.field("apiKey")).status()).isEqualTo(200);
        for (String path : List.of("/api/v1", "/api/v1/", "/api/v1/clusters/a/b/c/d/e", "/api/v2/clusters",
                "/api/v1/clusters/store-1/nope", "/nope", "/api/v1/hosts/x/heartbeat/y")) {
            Reply r = hub.client.get(path, admin());
            assertThat(r.status()).as(path + ": " + r).isEqualTo(404);
        }
        assertThat(hub.client.call("PUT", "/api/v1/clusters", admin(), "{}").status()).isEqualTo(405);
        assertThat(hub.client.call("DELETE", "/api/v1/register", token, null).status()).isEqualTo(405);
    }

    @Test
    void unknownFieldsAndWrongTypesNameTheField() {
        hub.cluster("store-1", "100.64.192.0/23");
        String token = hub.token("store-1", "{}");
        Reply unknown = hub.client.post("/api/v1/register", token, "{\"machineId\":\"m\",\"hostname\":\"h\",\"mac\":\"x\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.field("message")).contains("unknown field 'mac'").contains("machineId");
        Reply type = hub.client.post("/api/v1/register", token, "{\"machineId\":\"m\",\"hostname\":\"h\",\"addresses\":[[1]]}");
        assertThat(type.status()).isEqualTo(400);
        assertThat(type.field("message")).contains("addresses");
        Reply missing = hub.client.post("/api/v1/register", token, "{\"hostname\":\"h\"}");
        assertThat(missing.field("message")).contains("'machineId' is missing");
    }

    @Test
    void aBodyOver64KiBIs413() {
        String big = "{\"name\":\"" + "a".repeat(70 * 1024) + "\"}";
        // Several times: the answer must arrive whole although the client is still sending the body.
        for (int i = 0; i < 5; i++) {
            Reply r = hub.client.post("/api/v1/clusters", admin(), i % 2 == 0 ? big : big.repeat(20));
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.field("error")).isEqualTo("too-large");
        }
        assertThat(hub.client.get("/api/v1/clusters", admin()).status()).isEqualTo(200);
    }

    @Test
    void theConnectionOfAnOversizedBodyStaysOpenUntilTheClientHasSentItAll() throws Exception {
        // Deterministic form of the race above: read the 413 first, only then send the body.
        URI uri = URI.create(hub.url());
        byte[] body = new byte[200 * 1024];
        Arrays.fill(body, (byte) 'a');
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/clusters HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 413").containsIgnoringCase("connection: close");
            Thread.sleep(300);
            out.write(body); // a reset here means the hub closed while the client was still sending
            out.flush();
            in.readAllBytes(); // the rest of the 413 and then a clean end of stream
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the hub closed before the response head ended: " + head);
            }
            head.append((char) c);
        }
        return head.toString();
    }

    @Test
    void everythingSurvivesAReopenOfTheStore() throws Exception {
        hub.cluster("store-1", "100.64.192.0/23");
        String token = hub.token("store-1", "{}");
        Reply a = hub.register(token, "m1", "h1", "198.51.100.1");
        hub.close();
        hub = new HubFixture(openStore(false), clock);
        Reply again = hub.register(token, "m1", "h1", "198.51.100.1");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.field("address")).isEqualTo(a.field("address"));
        assertThat(hub.register(token, "m2", "h2", "198.51.100.2").field("address")).isEqualTo("100.64.192.3");
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40).replaceAll("\\p{Cntrl}", "?") + "..." : s.replaceAll("\\p{Cntrl}", "?");
    }
}
