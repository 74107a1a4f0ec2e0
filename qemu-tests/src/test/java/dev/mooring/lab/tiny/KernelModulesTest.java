package dev.mooring.lab.tiny;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelModulesTest {
    @Test
    void everyModuleComesAfterWhatItDependsOnAndOnlyOnce() {
        Map<String, List<String>> deps = Map.of(
                "virtio_net", List.of("virtio_ring", "virtio", "net_failover"),
                "net_failover", List.of("failover"),
                "virtio_pci", List.of("virtio_pci_modern_dev", "virtio_ring", "virtio"),
                "virtio_ring", List.of(), "virtio", List.of(), "failover", List.of(), "virtio_pci_modern_dev", List.of());
        assertThat(KernelModules.loadOrder(List.of("virtio_pci", "virtio_net"), deps::get)).containsExactly(
                "virtio_pci_modern_dev", "virtio_ring", "virtio", "virtio_pci", "failover", "net_failover", "virtio_net");
    }

    @Test
    void aCycleIsReported() {
        Map<String, List<String>> deps = Map.of("a", List.of("b"), "b", List.of("a"));
        assertThatThrownBy(() -> KernelModules.loadOrder(List.of("a"), deps::get)).hasMessageContaining("cycle");
    }
}
