package dev.mooring.hub.api;

import dev.mooring.hub.store.ClusterRecord;
import dev.mooring.hub.store.Heartbeat;
import dev.mooring.hub.store.HostRecord;
import dev.mooring.hub.store.Registration;
import dev.mooring.hub.store.Store;
import dev.mooring.hub.store.StoreException;
import dev.mooring.hub.store.TokenRecord;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.InvalidAddressException;
import dev.mooring.overlay.address.Ipv4Address;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Hub API version 1 (docs/contracts.md) without the HTTP server around it: a method, a path, the
 * bearer secret and a body in, a status and a JSON body out. Credentials are checked before the
 * body is read, so a caller without them learns nothing about what it sent.
 */
public final class HubApi {

    public static final String PREFIX = "/api/v1";
    public static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(24);
    public static final int DEFAULT_VNI = 4242;
    public static final int DEFAULT_PORT = 4789;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7e]{1,64}");
    private static final Pattern STATUS = Pattern.compile("[a-z][-a-z0-9]{0,31}");
    private static final Pattern TTL = Pattern.compile("([1-9][0-9]{0,6})(s|m|h|d)");
    private static final Pattern ID = Pattern.compile("[-a-z0-9]{1,64}");
    private static final int MAX_ADDRESSES = 16;

    /** An answer: the status and the JSON body (empty for 204). */
    public record Answer(int status, byte[] body) {
        static Answer json(int status, Object value) {
            return new Answer(status, Json.write(value));
        }

        static Answer noContent() {
            return new Answer(204, new byte[0]);
        }

        public static Answer error(ApiException e) {
            return json(e.status(), new Json.Error(e.code(), e.getMessage()));
        }
    }

    /**
     * How long a host's key hash is trusted from memory. Heartbeats then cost no store read; a key
     * replaced or a host removed through this hub is dropped at once, through another hub on the same
     * PostgreSQL after at most this long.
     */
    static final Duration HOST_CACHE = Duration.ofSeconds(5);

    private record CachedHost(HostRecord host, long loadedNanos) {}

    private final Map<String, CachedHost> hostCache = new ConcurrentHashMap<>();
    /** Grows at every invalidation: a record read before one is not cached (it may hold the old key). */
    private final AtomicLong invalidations = new AtomicLong();
    private final Store store;
    private final String adminTokenHash;
    private final HeartbeatBuffer heartbeats;
    private final Clock clock;
    private final Consumer<String> log;

    public HubApi(Store store, String adminTokenHash, HeartbeatBuffer heartbeats, Clock clock, Consumer<String> log) {
        this.store = store;
        this.adminTokenHash = adminTokenHash;
        this.heartbeats = heartbeats;
        this.clock = clock;
        this.log = log;
    }

    /** Answers one request; never throws for anything the client sent. */
    public Answer handle(String method, String path, Optional<String> authorization, byte[] body) {
        try {
            return route(method, path, authorization, body);
        } catch (ApiException e) {
            return Answer.error(e);
        } catch (StoreException e) {
            log.accept(method + " " + path + ": " + e.getMessage());
            return Answer.error(new ApiException(503, "store-unavailable",
                    "the hub cannot reach its store right now; retry in a few seconds"));
        } catch (RuntimeException e) {
            // A bug, not the client's input: say so, and keep the details in the hub's log.
            log.accept(method + " " + path + " failed: " + e);
            return Answer.error(new ApiException(500, "internal", "the hub failed on this request; its log says why"));
        }
    }

    private Answer route(String method, String path, Optional<String> authorization, byte[] body)
            throws ApiException, StoreException {
        int query = path.indexOf('?');
        String p = query < 0 ? path : path.substring(0, query);
        if (!p.startsWith(PREFIX + "/")) {
            throw ApiException.notFound("no such path: " + p + " (the API is under " + PREFIX + "/)");
        }
        List<String> s = List.of(p.substring(PREFIX.length() + 1).split("/", -1));
        String secret = bearer(authorization);
        return switch (s.size()) {
            case 1 -> switch (s.get(0)) {
                case "clusters" -> switch (method) {
                    case "POST" -> createCluster(secret, body);
                    case "GET" -> listClusters(secret);
                    default -> throw notAllowed(method, p, "GET, POST");
                };
                case "register" -> {
                    requireMethod(method, "POST", p);
                    yield register(secret, body);
                }
                default -> throw notFound(p);
            };
            case 3 -> {
                if (s.get(0).equals("clusters") && s.get(2).equals("tokens")) {
                    requireMethod(method, "POST", p);
                    yield createToken(secret, s.get(1), body);
                }
                if (s.get(0).equals("clusters") && s.get(2).equals("hosts")) {
                    requireMethod(method, "GET", p);
                    yield listHosts(secret, s.get(1));
                }
                if (s.get(0).equals("clusters") && s.get(2).equals("peers")) {
                    requireMethod(method, "GET", p);
                    yield peers(secret, s.get(1));
                }
                if (s.get(0).equals("hosts") && s.get(2).equals("heartbeat")) {
                    requireMethod(method, "POST", p);
                    yield heartbeat(secret, s.get(1), body);
                }
                throw notFound(p);
            }
            case 4 -> {
                if (s.get(0).equals("clusters") && s.get(2).equals("tokens")) {
                    requireMethod(method, "DELETE", p);
                    yield revokeToken(secret, s.get(1), s.get(3));
                }
                if (s.get(0).equals("clusters") && s.get(2).equals("hosts")) {
                    requireMethod(method, "DELETE", p);
                    yield removeHost(secret, s.get(1), s.get(3));
                }
                throw notFound(p);
            }
            default -> throw notFound(p);
        };
    }

    private static ApiException notFound(String path) {
        return ApiException.notFound("no such path: " + path + "; see docs/contracts.md for the endpoints of API v1");
    }

    private static ApiException notAllowed(String method, String path, String allowed) {
        return new ApiException(405, "method-not-allowed", method + " is not allowed on " + path + "; use " + allowed);
    }

    private static void requireMethod(String method, String wanted, String path) throws ApiException {
        if (!method.equals(wanted)) {
            throw notAllowed(method, path, wanted);
        }
    }

    // ---- credentials ----------------------------------------------------------------------------

    private static String bearer(Optional<String> authorization) throws ApiException {
        String header = authorization.orElseThrow(() -> ApiException.unauthorized(
                "this endpoint needs a secret: send the header 'Authorization: Bearer <secret>'"));
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
            throw ApiException.unauthorized("the Authorization header must be 'Bearer <secret>'");
        }
        return header.substring(7).trim();
    }

    private void requireAdmin(String secret) throws ApiException {
        if (!Secrets.matches(secret, adminTokenHash)) {
            throw ApiException.unauthorized("this endpoint needs the hub's admin token (the file named at the hub's start)");
        }
    }

    /** The host a {@code mk_<hostId>.<secret>} key belongs to, when the key is its current one. */
    private HostRecord requireHost(String secret) throws ApiException, StoreException {
        Optional<String[]> parts = split(secret, HostKeys.PREFIX);
        if (parts.isPresent()) {
            Optional<HostRecord> host = cachedHost(parts.get()[0]);
            // Hashing even when the host is unknown keeps the answer's timing alike.
            String stored = host.map(HostRecord::keyHash).orElse(Secrets.hash("no such host"));
            if (Secrets.matches(parts.get()[1], stored) && host.isPresent()) {
                return host.get();
            }
        }
        throw ApiException.unauthorized("this endpoint needs the host's API key (credentials.json: apiKey); an old key"
                + " stops working when the host registers again");
    }

    private Optional<HostRecord> cachedHost(String hostId) throws StoreException {
        CachedHost cached = hostCache.get(hostId);
        long now = System.nanoTime();
        if (cached != null && now - cached.loadedNanos() < HOST_CACHE.toNanos()) {
            return Optional.of(cached.host());
        }
        long generation = invalidations.get();
        Optional<HostRecord> host = store.host(hostId);
        if (host.isPresent() && invalidations.get() == generation) {
            hostCache.put(hostId, new CachedHost(host.get(), now));
        } else {
            hostCache.remove(hostId);
        }
        return host;
    }

    private void invalidate(String hostId) {
        invalidations.incrementAndGet();
        hostCache.remove(hostId);
    }

    /** {@code prefix<id>.<secret>} split into id and secret. */
    private static Optional<String[]> split(String secret, String prefix) {
        if (!secret.startsWith(prefix)) {
            return Optional.empty();
        }
        int dot = secret.indexOf('.', prefix.length());
        if (dot < 0 || dot == prefix.length() || dot == secret.length() - 1) {
            return Optional.empty();
        }
        String id = secret.substring(prefix.length(), dot);
        return ID.matcher(id).matches() ? Optional.of(new String[] {id, secret.substring(dot + 1)}) : Optional.empty();
    }

    private ClusterRecord existingCluster(String name) throws ApiException, StoreException {
        return store.cluster(name).orElseThrow(() -> ApiException.notFound("there is no cluster '" + name
                + "' on this hub; create it with POST /api/v1/clusters"));
    }

    // ---- admin ----------------------------------------------------------------------------------

    private Answer createCluster(String secret, byte[] body) throws ApiException, StoreException {
        requireAdmin(secret);
        Json.CreateCluster req = Json.read(body, Json.CreateCluster.class);
        String name = required("name", req.name());
        if (!LABEL.matcher(name).matches()) {
            throw ApiException.badRequest("name '" + name + "' is not a DNS label: 1-63 of a-z, 0-9 and '-', starting and"
                    + " ending with a letter or digit (e.g. store-0042)");
        }
        Cidr cidr;
        try {
            cidr = Cidr.parse(required("cidr", req.cidr()));
        } catch (InvalidAddressException e) {
            throw ApiException.badRequest("cidr: " + e.getMessage());
        }
        if (cidr.prefixLength() < 8 || cidr.prefixLength() > 29) {
            throw ApiException.badRequest("cidr: a /" + cidr.prefixLength() + " is outside /8 .. /29; e.g. 100.64.192.0/23");
        }
        Ipv4Address vip = req.vip() == null ? cidr.firstUsable() : address("vip", req.vip());
        if (!cidr.isUsableHost(vip)) {
            throw ApiException.badRequest("vip: " + vip + " is not a host address of " + cidr + "; pick one between "
                    + cidr.firstUsable() + " and " + cidr.lastUsable());
        }
        int vni = req.vni() == null ? DEFAULT_VNI : req.vni();
        if (vni < 1 || vni > 16_777_215) {
            throw ApiException.badRequest("vni: " + vni + " is outside 1 .. 16777215");
        }
        int port = req.port() == null ? DEFAULT_PORT : req.port();
        if (port < 1 || port > 65535 || port == 8472) {
            throw ApiException.badRequest("port: " + port + (port == 8472 ? " is flannel's VXLAN port; use the default 4789"
                    : " is outside 1 .. 65535"));
        }
        ClusterRecord wanted = new ClusterRecord(name, cidr, vip, vni, port, Secrets.clusterKey(), clock.instant());
        Store.CreatedCluster result = store.createCluster(wanted);
        ClusterRecord c = result.cluster();
        if (!result.created()) {
            List<String> differs = new ArrayList<>();
            if (!c.cidr().equals(cidr)) {
                differs.add("cidr " + c.cidr() + " (asked: " + cidr + ")");
            }
            if (!c.vip().equals(vip)) {
                differs.add("vip " + c.vip() + " (asked: " + vip + ")");
            }
            if (c.vni() != vni) {
                differs.add("vni " + c.vni() + " (asked: " + vni + ")");
            }
            if (c.port() != port) {
                differs.add("port " + c.port() + " (asked: " + port + ")");
            }
            if (!differs.isEmpty()) {
                throw ApiException.conflict("cluster '" + name + "' exists with " + String.join(", ", differs)
                        + "; these are fixed once the cluster exists (every host's overlay uses them). Create a cluster"
                        + " under another name for other settings");
            }
        } else {
            log.accept("cluster " + name + " created: " + cidr + ", VIP " + vip + ", VNI " + vni + ", port " + port);
        }
        return Answer.json(result.created() ? 201 : 200, new Json.Cluster(c.name(), c.cidr().toString(),
                c.vip().toString(), c.vni(), c.port(), c.key(), c.created().toString()));
    }

    private Answer listClusters(String secret) throws ApiException, StoreException {
        requireAdmin(secret);
        return Answer.json(200, store.clusters().stream().map(s -> new Json.ClusterListItem(s.cluster().name(),
                s.cluster().cidr().toString(), s.cluster().vip().toString(), s.cluster().vni(), s.cluster().port(),
                s.hosts())).toList());
    }

    private Answer createToken(String secret, String cluster, byte[] body) throws ApiException, StoreException {
        requireAdmin(secret);
        existingCluster(cluster);
        Json.CreateToken req = body.length == 0 ? new Json.CreateToken(null, null) : Json.read(body, Json.CreateToken.class);
        Duration ttl = req.ttl() == null ? DEFAULT_TOKEN_TTL : ttl(req.ttl());
        if (req.uses() != null && (req.uses() < 1 || req.uses() > 1_000_000)) {
            throw ApiException.badRequest("uses: " + req.uses() + " is outside 1 .. 1000000 (leave it out for no limit)");
        }
        String id = "t-" + Secrets.hexId(6);
        String tokenSecret = Secrets.secret();
        String token = HostKeys.TOKEN_PREFIX + id + "." + tokenSecret;
        Instant expires = clock.instant().plus(ttl);
        store.createToken(new TokenRecord(id, cluster, Secrets.hash(tokenSecret), expires,
                req.uses() == null ? OptionalLong.empty() : OptionalLong.of(req.uses()), false));
        log.accept("registration token " + id + " for cluster " + cluster + " created, expires " + expires);
        return Answer.json(201, new Json.Token(id, token, expires.toString(), req.uses()));
    }

    private static Duration ttl(String text) throws ApiException {
        var m = TTL.matcher(text);
        if (!m.matches()) {
            throw ApiException.badRequest("ttl: '" + text + "' is not a duration; write a number and s, m, h or d, e.g. 24h");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.compareTo(Duration.ofDays(3660)) > 0) {
            throw ApiException.badRequest("ttl: " + text + " is longer than 10 years");
        }
        return d;
    }

    private Answer revokeToken(String secret, String cluster, String id) throws ApiException, StoreException {
        requireAdmin(secret);
        existingCluster(cluster);
        if (!store.revokeToken(cluster, id)) {
            throw ApiException.notFound("cluster '" + cluster + "' has no token '" + id + "'");
        }
        log.accept("registration token " + id + " of cluster " + cluster + " revoked");
        return Answer.noContent();
    }

    private Answer listHosts(String secret, String cluster) throws ApiException, StoreException {
        requireAdmin(secret);
        existingCluster(cluster);
        return Answer.json(200, store.hosts(cluster).stream().map(heartbeats::apply).map(h -> new Json.Host(h.hostId(),
                h.machineId(), h.hostname(), h.role(), h.overlay().toString(), h.underlay(), h.version(), h.status(),
                h.lastSeen().toString(), h.vipHolder())).toList());
    }

    private Answer removeHost(String secret, String cluster, String hostId) throws ApiException, StoreException {
        requireAdmin(secret);
        existingCluster(cluster);
        if (!store.removeHost(cluster, hostId)) {
            throw ApiException.notFound("cluster '" + cluster + "' has no host '" + hostId + "'");
        }
        invalidate(hostId);
        heartbeats.forget(hostId);
        log.accept("host " + hostId + " removed from cluster " + cluster + " (its overlay address is never given out again)");
        return Answer.noContent();
    }

    // ---- hosts ----------------------------------------------------------------------------------

    private Answer register(String secret, byte[] body) throws ApiException, StoreException {
        Optional<String[]> parts = split(secret, HostKeys.TOKEN_PREFIX);
        TokenRecord token = null;
        if (parts.isPresent()) {
            Optional<TokenRecord> found = store.token(parts.get()[0]);
            String stored = found.map(TokenRecord::hash).orElse(Secrets.hash("no such token"));
            if (Secrets.matches(parts.get()[1], stored) && found.isPresent()) {
                token = found.get();
            }
        }
        if (token == null) {
            throw ApiException.unauthorized("registration needs a registration token (mt_...) of the cluster; ask the"
                    + " cluster's administrator for one");
        }
        Json.Register req = Json.read(body, Json.Register.class);
        String machineId = required("machineId", req.machineId());
        if (!PRINTABLE.matcher(machineId).matches()) {
            throw ApiException.badRequest("machineId: 1-64 printable characters without spaces (/etc/machine-id)");
        }
        String hostname = required("hostname", req.hostname());
        if (!HOSTNAME.matcher(hostname).matches()) {
            throw ApiException.badRequest("hostname: '" + hostname + "' is not a host name (letters, digits, '-' and '.')");
        }
        String role = req.role() == null ? "worker" : req.role();
        if (!role.equals("worker") && !role.equals("control-plane")) {
            throw ApiException.badRequest("role: '" + role + "' is neither control-plane nor worker");
        }
        List<String> addresses = addresses("addresses", req.addresses() == null ? List.of() : req.addresses());
        String version = req.version() == null ? "" : req.version();
        if (version.length() > 64) {
            throw ApiException.badRequest("version: longer than 64 characters");
        }
        Optional<Ipv4Address> requested = req.overlayAddress() == null ? Optional.empty()
                : Optional.of(address("overlayAddress", req.overlayAddress()));

        // The key is mk_<hostId>.<secret>; the store keeps the secret's hash, and the id tells whose it is.
        String keySecret = Secrets.secret();
        Registration.Outcome outcome = store.register(new Registration(token.id(), machineId, hostname, role, addresses,
                version, requested, "h-" + Secrets.hexId(8), Secrets.hash(keySecret), clock.instant()));
        HostRecord h = outcome.host();
        ClusterRecord c = outcome.cluster();
        // The old key stops working now.
        invalidate(h.hostId());
        heartbeats.forget(h.hostId());
        log.accept((outcome.created() ? "host " + h.hostId() + " (" + hostname + ") registered in cluster " + c.name()
                + " with overlay address " + h.overlay() : "host " + h.hostId() + " (" + hostname + ") registered again in"
                + " cluster " + c.name() + "; its earlier API key stops working") + " (token " + token.id() + ")");
        return Answer.json(outcome.created() ? 201 : 200, new Json.Registered(h.hostId(),
                HostKeys.PREFIX + h.hostId() + "." + keySecret,
                new Json.ClusterSettings(c.name(), c.cidr().toString(), c.vip().toString(), c.vni(), c.port(), c.key()),
                h.overlay().toString()));
    }

    private Answer heartbeat(String secret, String hostId, byte[] body) throws ApiException, StoreException {
        HostRecord host = requireHost(secret);
        if (!host.hostId().equals(hostId)) {
            throw ApiException.forbidden("this API key belongs to host " + host.hostId() + ", not " + hostId);
        }
        Json.HeartbeatBody req = Json.read(body, Json.HeartbeatBody.class);
        List<String> addresses = addresses("addresses", required("addresses", req.addresses()));
        String status = req.status() == null ? "ready" : req.status();
        if (!STATUS.matcher(status).matches()) {
            throw ApiException.badRequest("status: '" + status + "' is not a status word (a-z, 0-9 and '-', e.g. ready)");
        }
        heartbeats.record(new Heartbeat(hostId, addresses, status, Boolean.TRUE.equals(req.vipHolder()), clock.instant()));
        return Answer.noContent();
    }

    private Answer peers(String secret, String cluster) throws ApiException, StoreException {
        if (!Secrets.matches(secret, adminTokenHash)) {
            HostRecord host = requireHost(secret);
            if (!host.cluster().equals(cluster)) {
                throw ApiException.forbidden("this API key belongs to a host of another cluster; a host reads only its own"
                        + " cluster's peers");
            }
        }
        existingCluster(cluster);
        return Answer.json(200, store.hosts(cluster).stream().map(heartbeats::apply).map(h -> new Json.Peer(h.hostId(),
                h.hostname(), h.role(), h.overlay().toString(), h.underlay(), h.lastSeen().toString())).toList());
    }

    // ---- input ----------------------------------------------------------------------------------

    private static <T> T required(String field, T value) throws ApiException {
        if (value == null) {
            throw ApiException.badRequest("field '" + field + "' is missing");
        }
        return value;
    }

    private static Ipv4Address address(String field, String text) throws ApiException {
        try {
            return Ipv4Address.parse(text);
        } catch (InvalidAddressException e) {
            throw ApiException.badRequest(field + ": " + e.getMessage());
        }
    }

    private static List<String> addresses(String field, List<String> texts) throws ApiException {
        if (texts.size() > MAX_ADDRESSES) {
            throw ApiException.badRequest(field + ": at most " + MAX_ADDRESSES + " addresses");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw ApiException.badRequest(field + "[" + i + "] is null; write an IPv4 address");
            }
            out.add(address(field + "[" + i + "]", texts.get(i)).toString());
        }
        return out;
    }
}
