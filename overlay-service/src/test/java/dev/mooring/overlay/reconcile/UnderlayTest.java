package dev.mooring.overlay.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.UnderlaySelector;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelState;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UnderlayTest {

    private final TestHost host = new TestHost();

    @BeforeEach
    void moreInterfaces() throws Exception {
        host.kernel.addInterface("enp1s0", 9000);
        host.kernel.addInterface("enp2s0", 1500);
        host.kernel.apply(new KernelChange.AddAddress("enp2s0", Ipv4Address.parse("203.0.113.7"), 24));
    }

    private Underlay select(String selector) throws UnderlayException {
        return Underlay.select(UnderlaySelector.parse(selector), host.kernel.observe());
    }

    @Test
    void autoTakesTheInterfaceOfTheDefaultRoute() throws Exception {
        assertThat(select("auto")).isEqualTo(new Underlay("eth0", 2, 1500, List.of(Ipv4Address.parse("198.51.100.11"))));
    }

    @Test
    void byNameGlobAndSubnet() throws Exception {
        assertThat(select("enp2s0").name()).isEqualTo("enp2s0");
        assertThat(select("enp*").name()).isEqualTo("enp1s0");
        assertThat(select("203.0.113.0/24").name()).isEqualTo("enp2s0");
    }

    @Test
    void aMissingInterfaceListsTheOnesThatExist() {
        assertThatThrownBy(() -> select("eth9")).isInstanceOf(UnderlayException.class).hasMessage(
                "the underlay interface 'eth9' does not exist; the interfaces here are: eth0 (198.51.100.11/24), enp1s0, "
                        + "enp2s0 (203.0.113.7/24). Set overlay.underlay to one of them (a name, a glob like en*, or a subnet like 198.51.100.0/24)");
        assertThatThrownBy(() -> select("wl*")).hasMessageStartingWith("no interface matches the underlay glob 'wl*'; the interfaces here are: eth0");
        assertThatThrownBy(() -> select("192.0.2.0/24")).hasMessageStartingWith("no interface has an address in the underlay subnet 192.0.2.0/24");
    }

    @Test
    void autoWithoutADefaultRouteSaysSo() throws Exception {
        KernelState s = host.kernel.observe();
        KernelState noDefault = new KernelState(s.links(), s.addresses(), s.routes().stream().filter(r -> !r.isDefault()).toList(),
                s.fdb(), s.neighbours());
        assertThatThrownBy(() -> Underlay.select(new UnderlaySelector.Auto(), noDefault))
                .hasMessageStartingWith("no underlay interface: underlay is auto and there is no default route to take it from");
    }

    @Test
    void mooringsOwnDevicesAreNeverTheUnderlay() throws Exception {
        host.reconcile(TestHost.peers(1));
        assertThatThrownBy(() -> select("mooring*")).hasMessageStartingWith("no interface matches");
    }

    @Test
    void anOverlayCidrOverlappingAnAddressIsRefused() {
        var settings = TestHost.withCidr(Cidr.parse("198.51.100.0/25"), Ipv4Address.parse("198.51.100.1"),
                Ipv4Address.parse("198.51.100.10"));
        assertThatThrownBy(() -> DesiredState.of(settings, Ipv4Address.parse("198.51.100.10"), List.of(), host.kernel.observe()))
                .hasMessage("the overlay CIDR 198.51.100.0/25 overlaps 198.51.100.11/24 on eth0; the overlay must use addresses"
                        + " the host does not. Pick another overlay.cidr (e.g. the default 100.64.192.0/23) before the cluster is created");
    }

    @Test
    void anOverlayCidrOverlappingARouteIsRefused() {
        host.kernel.addRoute("enp2s0", Cidr.parse("100.64.0.0/16"), Optional.of(Ipv4Address.parse("203.0.113.1")));
        assertThatThrownBy(() -> host.desired(List.of()))
                .hasMessageStartingWith("the overlay CIDR 100.64.192.0/23 overlaps the route to 100.64.0.0/16 via enp2s0");
    }

    @Test
    void theOverlaysOwnConnectedRouteIsNoConflict() throws Exception {
        host.reconcile(TestHost.peers(1));
        assertThat(host.desired(TestHost.peers(1)).bridge().address()).isEqualTo(TestHost.ADDRESS);
    }

    @Test
    void aConfiguredMtuTooLargeForTheUnderlayIsRefused() {
        var settings = TestHost.settings(new UnderlaySelector.Auto(), OptionalInt.of(1480));
        assertThatThrownBy(() -> DesiredState.of(settings, TestHost.ADDRESS, List.of(), host.kernel.observe()))
                .hasMessageStartingWith("the overlay MTU 1480 does not fit the underlay eth0 (MTU 1500, leaving 1450");
    }

    @Test
    void theMtuFollowsTheUnderlay() throws Exception {
        var settings = TestHost.settings(new UnderlaySelector.ByName("enp1s0"), OptionalInt.empty());
        assertThat(DesiredState.of(settings, TestHost.ADDRESS, List.of(), host.kernel.observe()).vxlan().mtu()).isEqualTo(8950);
    }
}
