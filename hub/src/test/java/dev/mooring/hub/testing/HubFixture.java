package dev.mooring.hub.testing;

import dev.mooring.hub.api.HeartbeatBuffer;
import dev.mooring.hub.api.HubApi;
import dev.mooring.hub.api.Secrets;
import dev.mooring.hub.http.HubServer;
import dev.mooring.hub.store.Store;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A hub in this JVM on a free loopback port, over a given store; closes server, buffer and store. */
public final class HubFixture implements AutoCloseable {

    public final String adminToken = "ma_" + Secrets.secret();
    public final Store store;
    public final HubServer server;
    public final HubClient client;
    public final List<String> log = new CopyOnWriteArrayList<>();
    private final HeartbeatBuffer beats;

    public HubFixture(Store store) throws IOException {
        this(store, Clock.systemUTC());
    }

    public HubFixture(Store store, Clock clock) throws IOException {
        this.store = store;
        this.beats = new HeartbeatBuffer(store, Duration.ofMillis(200), log::add);
        HubApi api = new HubApi(store, Secrets.hash(adminToken), beats, clock, log::add);
        this.server = HubServer.start(new InetSocketAddress("127.0.0.1", 0), Optional.empty(), api, log::add);
        this.client = new HubClient(server.url());
    }

    public String url() {
        return server.url();
    }

    /** Creates a cluster and returns its key. */
    public String cluster(String name, String cidr) {
        HubClient.Reply r = client.post("/api/v1/clusters", adminToken, "{\"name\":\"" + name + "\",\"cidr\":\"" + cidr + "\"}");
        if (r.status() != 201 && r.status() != 200) {
            throw new AssertionError("create cluster: " + r);
        }
        return r.field("key");
    }

    /** A registration token of the cluster. */
    public String token(String cluster, String body) {
        HubClient.Reply r = client.post("/api/v1/clusters/" + cluster + "/tokens", adminToken, body);
        if (r.status() != 201) {
            throw new AssertionError("create token: " + r);
        }
        return r.field("token");
    }

    public HubClient.Reply register(String token, String machineId, String hostname, String underlay) {
        return client.post("/api/v1/register", token, "{\"machineId\":\"" + machineId + "\",\"hostname\":\"" + hostname
                + "\",\"role\":\"worker\",\"addresses\":[\"" + underlay + "\"],\"version\":\"0.1.0\"}");
    }

    @Override
    public void close() {
        server.close();
        beats.close();
        store.close();
    }
}
