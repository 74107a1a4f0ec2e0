package dev.mooring.overlay.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** credentials.json as docs/contracts.md fixes it; the API key never shows in toString. */
class HubCredentialsTest {

    @TempDir
    Path temp;

    @Test
    void readsTheContractsExample() throws Exception {
        Path f = Files.writeString(temp.resolve("credentials.json"), """
                {"version": 1, "url": "https://hub.example.com:8443", "cluster": "store-0042",
                 "hostId": "h-7f3a", "apiKey": "mk_h-7f3a.secretpart", "ca": "/etc/mooring/hub-ca.pem"}
                """);
        HubCredentials c = HubCredentials.load(f);
        assertThat(c.url().toString()).isEqualTo("https://hub.example.com:8443");
        assertThat(c.cluster()).isEqualTo("store-0042");
        assertThat(c.hostId()).isEqualTo("h-7f3a");
        assertThat(c.ca()).contains(Path.of("/etc/mooring/hub-ca.pem"));
        assertThat(c.toString()).doesNotContain("secretpart");
    }

    @Test
    void problemsNameTheFileAndWhatToDo() throws Exception {
        assertThatThrownBy(() -> HubCredentials.load(temp.resolve("missing.json")))
                .isInstanceOf(HubException.class).hasMessageContaining("has not registered");
        Path bad = Files.writeString(temp.resolve("bad.json"), "{\"version\": 1, \"url\": \"ftp://x\", \"cluster\": \"c\","
                + " \"hostId\": \"h\", \"apiKey\": \"k\"}");
        assertThatThrownBy(() -> HubCredentials.load(bad)).hasMessageContaining(bad.toString()).hasMessageContaining("http");
        Path v2 = Files.writeString(temp.resolve("v2.json"), "{\"version\": 2}");
        assertThatThrownBy(() -> HubCredentials.load(v2)).hasMessageContaining("version 2");
        Path noKey = Files.writeString(temp.resolve("nokey.json"), "{\"version\": 1, \"url\": \"https://h\", \"cluster\": \"c\","
                + " \"hostId\": \"h\"}");
        assertThatThrownBy(() -> HubCredentials.load(noKey)).hasMessageContaining("apiKey");
        Path garbage = Files.writeString(temp.resolve("garbage.json"), "{");
        assertThatThrownBy(() -> HubCredentials.load(garbage)).hasMessageContaining("not valid");
    }
}
