package dev.mooring.firstboot.registration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mooring.firstboot.apply.FileAttributes;
import dev.mooring.firstboot.apply.Journal;
import dev.mooring.firstboot.apply.RootFiles;
import dev.mooring.firstboot.mooring.ClusterSpec;
import dev.mooring.firstboot.mooring.ClusterYaml;
import dev.mooring.firstboot.mooring.MooringConfig;
import dev.mooring.firstboot.mooring.OverlayYaml;
import dev.mooring.firstboot.mooring.Registration;
import dev.mooring.firstboot.mooring.Registration.CertificateAuthority;
import dev.mooring.firstboot.run.FirstbootStatus;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.ClusterKey;
import dev.mooring.overlay.config.OverlaySettings;
import dev.mooring.overlay.config.UnderlaySelector;
import dev.mooring.overlay.identity.IdentityStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * First boot's registration with the hub ({@code mooring.registration}): sends the machine id, host
 * name, addresses, version and role; stores the answer as {@code credentials.json} (0600, directory
 * 0700) and writes the hub's cluster settings and assigned address into overlay.yaml. Its state
 * lives in the instance's journal, so a pending registration is tried again on the next run and a
 * done one never again.
 */
public final class HubRegistration {

    public static final String CREDENTIALS = "/var/lib/mooring/hub/credentials.json";
    public static final String CA_FILE = "/etc/mooring/hub-ca.pem";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Everything registration takes from outside: retry policy, addresses, version, request timeout. */
    public record Settings(Registrar registrar, Supplier<List<String>> addresses, String version, Duration requestTimeout) {
    }

    private final RootFiles root;
    private final Journal journal;
    private final Settings settings;
    private final Consumer<String> log;

    public HubRegistration(RootFiles root, Settings settings, Consumer<String> log) {
        this.root = root;
        this.journal = new Journal(root);
        this.settings = settings;
        this.log = log;
    }

    /** Whether the instance is registered already: then {@link #run} asks the hub nothing. */
    public boolean registered(String instanceDir) {
        return root.read(stateFile(instanceDir)).map(this::json).map(s -> s.path("state").asText().equals("registered")).orElse(false);
    }

    private String stateFile(String instanceDir) {
        return journal.instanceDir(instanceDir) + "/registration.json";
    }

    public FirstbootStatus.Registration run(MooringConfig mooring, String instanceDir, String hostname) throws IOException {
        Registration reg = mooring.registration().orElseThrow();
        String stateFile = stateFile(instanceDir);
        Optional<JsonNode> state = root.read(stateFile).map(this::json);
        if (state.isPresent() && state.get().path("state").asText().equals("registered")) {
            return new FirstbootStatus.Registration("registered", Optional.of(state.get().path("hostId").asText()),
                    Optional.of(state.get().path("address").asText()), 0, Optional.empty());
        }
        Optional<String> machineId = root.read("/etc/machine-id").map(b -> new String(b, StandardCharsets.UTF_8).strip())
                .filter(id -> !id.isEmpty() && !id.equals("uninitialized"));
        if (machineId.isEmpty()) {
            return pending(stateFile, "there is no /etc/machine-id yet (systemd writes it early in boot); registration waits for the next run", 0);
        }
        Optional<String> caPem;
        try {
            caPem = switch (reg.ca().orElse(null)) {
                case null -> Optional.empty();
                case CertificateAuthority.Pem p -> Optional.of(p.text());
                case CertificateAuthority.File f -> Optional.of(root.read(f.path().toString()).map(b -> new String(b, StandardCharsets.US_ASCII))
                        .orElseThrow(() -> new HubException(OptionalInt.empty(), false, "mooring.registration.ca: " + f.path()
                                + " does not exist in the root; ship it in the image or write it with write_files")));
            };
        } catch (HubException e) {
            return failed(stateFile, e.getMessage(), 0);
        }
        String role = mooring.cluster().map(c -> c.role().yamlName()).orElse(ClusterSpec.Role.WORKER.yamlName());
        RegistrationRequest request = new RegistrationRequest(machineId.get(), hostname, role, settings.addresses().get(), settings.version(),
                usedOverlayAddress(mooring));
        HubClient client;
        try {
            client = new HubClient(reg.url(), reg.token(), caPem, settings.requestTimeout());
        } catch (HubException e) {
            return failed(stateFile, e.getMessage(), 0);
        }
        log.accept("registering with " + reg.url() + " as " + hostname + " (machine " + machineId.get() + ", " + request.addresses() + ")");
        Registrar.Outcome outcome = settings.registrar().register(() -> client.register(request));
        return switch (outcome) {
            case Registrar.Outcome.Registered r -> registered(r, mooring, reg, caPem, stateFile, hostname);
            case Registrar.Outcome.Pending p -> pending(stateFile, p.lastError(), p.attempts());
            case Registrar.Outcome.Refused f -> failed(stateFile, "the hub refused the registration: " + f.error(), f.attempts());
        };
    }

    /** The static address of the user-data, else the one the overlay service already persisted. */
    private Optional<String> usedOverlayAddress(MooringConfig mooring) {
        Optional<Ipv4Address> fromUserData = mooring.overlay().flatMap(OverlaySettings::address);
        if (fromUserData.isPresent()) {
            return Optional.of(fromUserData.get().toString());
        }
        if (!(root instanceof dev.mooring.firstboot.apply.DirectoryRoot dir)) {
            return Optional.empty();
        }
        try {
            Path stateDir = dir.resolve(IdentityStore.DEFAULT_STATE_DIR.toString());
            return new IdentityStore(stateDir).load().map(i -> i.overlay().toString());
        } catch (Exception e) {
            log.accept("cannot read the overlay identity: " + e.getMessage());
            return Optional.empty();
        }
    }

    private FirstbootStatus.Registration registered(Registrar.Outcome.Registered r, MooringConfig mooring, Registration reg,
                                                    Optional<String> caPem, String stateFile, String hostname) throws IOException {
        HubAnswer a = r.answer();
        OverlaySettings overlay;
        try {
            Optional<OverlaySettings> mine = mooring.overlay();
            overlay = new OverlaySettings(mine.map(OverlaySettings::enabled).orElse(true), Cidr.parse(a.cluster().cidr()),
                    Ipv4Address.parse(a.cluster().vip()), a.cluster().vni(), a.cluster().port(),
                    mine.map(OverlaySettings::mtu).orElse(OptionalInt.empty()),
                    mine.map(OverlaySettings::underlay).orElse(new UnderlaySelector.Auto()),
                    Optional.of(ClusterKey.parse(a.cluster().key())), Optional.of(Ipv4Address.parse(a.address())));
        } catch (RuntimeException e) {
            return failed(stateFile, "the hub's cluster settings do not make a valid overlay (" + e.getMessage() + "); check the cluster on the hub", r.attempts());
        }
        Optional<String> caPath = reg.ca().map(c -> c instanceof CertificateAuthority.File f ? f.path().toString() : CA_FILE);
        ensureDirectory("/etc/mooring", 0755);
        if (reg.ca().orElse(null) instanceof CertificateAuthority.Pem) {
            root.write(CA_FILE, caPem.orElseThrow().getBytes(StandardCharsets.US_ASCII), new FileAttributes(0644, 0, 0));
        }
        ensureDirectory("/var/lib/mooring", 0755);
        ensureDirectory("/var/lib/mooring/hub", 0700);
        ObjectNode credentials = JSON.createObjectNode().put("version", 1).put("url", reg.url().toString())
                .put("cluster", a.cluster().name()).put("hostId", a.hostId()).put("apiKey", a.apiKey());
        caPath.ifPresent(p -> credentials.put("ca", p));
        root.write(CREDENTIALS, (credentials.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8), new FileAttributes(0600, 0, 0));
        ClusterSpec.Role role = mooring.cluster().map(ClusterSpec::role).orElse(ClusterSpec.Role.WORKER);
        if (overlay.enabled()) {
            root.write(OverlayYaml.PATH, OverlayYaml.render(a.cluster().name(), hostname, role, overlay, Optional.of(CREDENTIALS))
                    .getBytes(StandardCharsets.UTF_8), new FileAttributes(0600, 0, 0));
        }
        if (mooring.cluster().isEmpty()) {
            root.write(ClusterYaml.PATH, ClusterYaml.render(a.cluster().name(), hostname, role, false, mooring.kubernetes())
                    .getBytes(StandardCharsets.UTF_8), new FileAttributes(0600, 0, 0));
        }
        ObjectNode state = JSON.createObjectNode().put("state", "registered").put("hostId", a.hostId()).put("address", a.address())
                .put("cluster", a.cluster().name());
        root.write(stateFile, state.toPrettyString().getBytes(StandardCharsets.UTF_8), new FileAttributes(0600, 0, 0));
        log.accept("registered: host " + a.hostId() + ", overlay address " + a.address() + (a.created() ? " (new host)" : " (known host)"));
        return new FirstbootStatus.Registration("registered", Optional.of(a.hostId()), Optional.of(a.address()), r.attempts(), Optional.empty());
    }

    private FirstbootStatus.Registration pending(String stateFile, String error, int attempts) throws IOException {
        writeState(stateFile, "pending", error);
        return new FirstbootStatus.Registration("pending", Optional.empty(), Optional.empty(), attempts, Optional.of(error));
    }

    private FirstbootStatus.Registration failed(String stateFile, String error, int attempts) throws IOException {
        writeState(stateFile, "failed", error);
        return new FirstbootStatus.Registration("failed", Optional.empty(), Optional.empty(), attempts, Optional.of(error));
    }

    private void writeState(String stateFile, String state, String error) throws IOException {
        root.write(stateFile, JSON.createObjectNode().put("state", state).put("lastError", error).toPrettyString()
                .getBytes(StandardCharsets.UTF_8), new FileAttributes(0600, 0, 0));
    }

    private void ensureDirectory(String path, int mode) throws IOException {
        if (!root.isDirectory(path)) {
            root.makeDirectory(path, new FileAttributes(mode, 0, 0));
        } else if (mode == 0700) {
            root.makeDirectory(path, new FileAttributes(mode, 0, 0));
        }
    }

    private JsonNode json(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
