package dev.mooring.overlay.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlaySettings;
import dev.mooring.overlay.config.UnderlaySelector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdentityStoreTest {

    private static final Ipv4Address ADDRESS = Ipv4Address.parse("100.64.192.10");
    private static final Instant CREATED = Instant.parse("2026-11-27T03:00:00Z");
    private static final OverlaySettings SETTINGS = OverlaySettings.defaults(OverlaySettings.DEFAULT_CIDR);

    @TempDir
    Path dir;

    private IdentityStore store() {
        return new IdentityStore(dir.resolve("state"));
    }

    private static OverlaySettings settings(String cidr, String vip, int vni, Optional<Ipv4Address> address) {
        return new OverlaySettings(true, Cidr.parse(cidr), Ipv4Address.parse(vip), vni, OverlaySettings.DEFAULT_PORT,
                OptionalInt.empty(), new UnderlaySelector.Auto(), Optional.empty(), address);
    }

    @Test
    void nothingIsPersistedAtFirst() throws Exception {
        assertThat(store().load()).isEmpty();
        store().checkFixed(settings("100.72.0.0/16", "100.72.0.1", 7, Optional.empty()));
    }

    @Test
    void createdIdentityRoundTripsAsReadableJsonOwnedByRootOnly() throws Exception {
        IdentityStore store = store();
        OverlayIdentity created = store.create("host-1", ADDRESS, SETTINGS, CREATED);

        assertThat(created).isEqualTo(new OverlayIdentity("host-1", ADDRESS, OverlaySettings.DEFAULT_CIDR,
                Ipv4Address.parse("100.64.192.1"), 4242, CREATED, 0));
        assertThat(new IdentityStore(dir.resolve("state")).load()).contains(created);
        assertThat(Files.readString(store.file())).contains("\"hostId\" : \"host-1\"", "\"overlay\" : \"100.64.192.10\"",
                "\"cidr\" : \"100.64.192.0/23\"", "\"vip\" : \"100.64.192.1\"", "\"vni\" : 4242",
                "\"created\" : \"2026-11-27T03:00:00Z\"", "\"incarnation\" : 0");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("state")))).isEqualTo("rwx------");
        try (var files = Files.list(dir.resolve("state"))) {
            assertThat(files).containsExactly(store.file());
        }
    }

    @Test
    void createIsIdempotentButNeverReplacesAnotherIdentity() throws Exception {
        IdentityStore store = store();
        OverlayIdentity created = store.create("host-1", ADDRESS, SETTINGS, CREATED);
        assertThat(store.create("host-1", ADDRESS, SETTINGS, CREATED.plusSeconds(60))).isEqualTo(created);
        assertThatThrownBy(() -> store.create("host-1", ADDRESS.plus(1), SETTINGS, CREATED))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already persisted");
        assertThat(store.load()).contains(created);
    }

    @Test
    void incarnationGrowsAtEveryStartBeforeAndAfterTheAddressIsPersisted() throws Exception {
        assertThat(store().nextIncarnation()).isEqualTo(1);
        assertThat(store().nextIncarnation()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("state").resolve(IdentityStore.INCARNATION_FILE))).isEqualTo("2\n");

        OverlayIdentity created = store().create("host-1", ADDRESS, SETTINGS, CREATED);
        assertThat(created.incarnation()).isEqualTo(2);
        assertThat(dir.resolve("state").resolve(IdentityStore.INCARNATION_FILE)).doesNotExist();

        assertThat(store().nextIncarnation()).isEqualTo(3);
        assertThat(store().load().orElseThrow().incarnation()).isEqualTo(3);
    }

    @Test
    void aCounterLeftBesideTheIdentityNeverMakesTheIncarnationGoBack() throws Exception {
        store().create("host-1", ADDRESS, SETTINGS, CREATED);
        // As after a crash between writing the identity and deleting the counter of a later start.
        Files.writeString(dir.resolve("state").resolve(IdentityStore.INCARNATION_FILE), "9\n");
        assertThat(store().nextIncarnation()).isEqualTo(10);
        assertThat(dir.resolve("state").resolve(IdentityStore.INCARNATION_FILE)).doesNotExist();
    }

    @Test
    void aCrashBetweenTheTemporaryWriteAndTheRenameLeavesTheOldFileIntact() throws Exception {
        store().create("host-1", ADDRESS, SETTINGS, CREATED);
        byte[] before = Files.readAllBytes(store().file());
        IdentityStore crashing = new IdentityStore(dir.resolve("state"), (from, to) -> {
            throw new IOException("simulated power loss before rename");
        });

        assertThatThrownBy(crashing::nextIncarnation).isInstanceOf(IdentityException.class)
                .hasMessageContaining("simulated power loss");

        assertThat(Files.readAllBytes(store().file())).isEqualTo(before);
        assertThat(dir.resolve("state").resolve(IdentityStore.FILE_NAME + ".tmp")).exists();
        // The next start reads the old identity and writes over the leftover temporary file.
        assertThat(store().load().orElseThrow().incarnation()).isZero();
        assertThat(store().nextIncarnation()).isEqualTo(1);
        assertThat(dir.resolve("state").resolve(IdentityStore.FILE_NAME + ".tmp")).doesNotExist();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            truncated            | '{"format": 1, "hostId": "host-1", "over'                  | identity.json:1:40: not valid JSON
            not an object        | '[1, 2]'                                                    | identity.json: expected a JSON object, found ARRAY
            empty                | ''                                                          | identity.json: the file is empty
            missing field        | '{"format": 1, "hostId": "host-1"}'                         | identity.json: field 'overlay' is missing
            bad address          | '{"format": 1, "hostId": "h", "overlay": "100.64.192.300"}' | identity.json: '100.64.192.300' is not an IPv4 address
            newer format         | '{"format": 2}'                                             | identity.json: format 2 is not one this version reads
            """)
    void aCorruptFileIsAClearErrorAndNeverReplaced(String what, String content, String message) throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Path file = state.resolve(IdentityStore.FILE_NAME);
        Files.writeString(file, content);

        assertThatThrownBy(() -> store().load()).isInstanceOf(IdentityException.class)
                .hasMessageStartingWith(state + "/" + message)
                .hasMessageContaining("it is not replaced: restore it from a backup or repair it by hand")
                .hasMessageContaining("delete " + file);
        assertThatThrownBy(() -> store().nextIncarnation()).isInstanceOf(IdentityException.class);
        assertThatThrownBy(() -> store().create("host-1", ADDRESS, SETTINGS, CREATED)).isInstanceOf(IdentityException.class);
        assertThat(Files.readString(file)).isEqualTo(content);
    }

    @Test
    void aCorruptCounterSaysHowToRepairIt() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.writeString(state.resolve(IdentityStore.INCARNATION_FILE), "many\n");
        assertThatThrownBy(() -> store().nextIncarnation()).isInstanceOf(IdentityException.class)
                .hasMessage(state.resolve("incarnation") + " is corrupt: expected a number of starts, found 'many'. Write a"
                        + " number larger than any start of this host (the current time in seconds will do), e.g. date +%s > "
                        + state.resolve("incarnation"));
    }

    @Test
    void aConfigurationThatChangesTheCidrIsRefusedSayingWhatIsFixedSinceWhen() throws Exception {
        IdentityStore store = store();
        store.create("host-1", ADDRESS, SETTINGS, CREATED);

        assertThatThrownBy(() -> store.checkFixed(settings("100.64.192.0/22", "100.64.192.1", 4242, Optional.empty())))
                .isInstanceOf(IdentityException.Conflict.class)
                .hasMessage("the overlay CIDR of this cluster is fixed at 100.64.192.0/23 since 2026-11-27;"
                        + " overlay.yaml says 100.64.192.0/22. It cannot change while the cluster exists: write the fixed"
                        + " value in overlay.yaml, or, to build a new cluster, stop the overlay on every host and delete its"
                        + " identity file (" + store.file() + ")");
    }

    @Test
    void everyContradictionIsNamedWithTheConfigFile() throws Exception {
        IdentityStore store = store();
        store.create("host-1", ADDRESS, SETTINGS, CREATED);
        OverlaySettings changed = settings("100.72.0.0/16", "100.72.0.1", 7, Optional.of(Ipv4Address.parse("100.72.0.10")));

        assertThatThrownBy(() -> store.checkFixed(changed, "/etc/mooring/overlay.yaml"))
                .isInstanceOfSatisfying(IdentityException.Conflict.class, e -> assertThat(e.file()).isEqualTo(store.file()))
                .message().satisfies(m -> assertThat(m.lines()).satisfiesExactly(
                        l -> assertThat(l).startsWith("the overlay CIDR of this cluster is fixed at 100.64.192.0/23 since"
                                + " 2026-11-27; /etc/mooring/overlay.yaml says 100.72.0.0/16."),
                        l -> assertThat(l).startsWith("the VIP of this cluster is fixed at 100.64.192.1 since 2026-11-27;"
                                + " /etc/mooring/overlay.yaml says 100.72.0.1."),
                        l -> assertThat(l).startsWith("the VNI of this cluster is fixed at 4242 since 2026-11-27;"
                                + " /etc/mooring/overlay.yaml says 7."),
                        l -> assertThat(l).startsWith("the overlay address of this host is fixed at 100.64.192.10 since"
                                + " 2026-11-27; /etc/mooring/overlay.yaml says 100.72.0.10. Other hosts know it by that address")));
    }

    @Test
    void theSameSettingsOrAStaticAddressEqualToThePersistedOnePass() throws Exception {
        IdentityStore store = store();
        store.create("host-1", ADDRESS, SETTINGS, CREATED);
        store.checkFixed(SETTINGS);
        store.checkFixed(settings("100.64.192.0/23", "100.64.192.1", 4242, Optional.of(ADDRESS)));
    }
}
