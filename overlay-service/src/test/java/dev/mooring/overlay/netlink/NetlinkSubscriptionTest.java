package dev.mooring.overlay.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.testing.Eventually;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Notification delivery when the listener falls behind. */
@RequiresNetns
class NetlinkSubscriptionTest {

    @Test
    void aBurstLargerThanTheSocketBufferIsReportedAsAnOverrunAndDeliveryGoesOn() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1);
             NetworkNamespace namespace = NetworkNamespace.open(lab.host(1).namespaceFile())) {
            String ns = lab.host(1).namespace();
            lab.exec(ns, "ip", "link", "add", "mr-vx", "type", "vxlan", "id", "7", "dstport", "4789", "dev", "eth0", "nolearning").orThrow();
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger messages = new AtomicInteger();
            AtomicInteger overruns = new AtomicInteger();
            NetlinkSubscription.Listener listener = new NetlinkSubscription.Listener() {
                @Override
                public void onMessage(NetlinkMessage message) {
                    messages.incrementAndGet();
                    try {
                        release.await(30, TimeUnit.SECONDS); // a busy listener: the socket fills meanwhile
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void onOverrun() {
                    overruns.incrementAndGet();
                }
            };
            try (var _ = NetlinkSubscription.start(namespace, Rtnetlink.RTMGRP_NEIGH, 4096, "test-events", listener)) {
                Path batch = Files.createTempFile("mr-fdb", ".batch");
                try {
                    List<String> lines = new ArrayList<>();
                    for (int i = 0; i < 1000; i++) {
                        lines.add("fdb append " + String.format("02:00:00:00:%02x:%02x", i >> 8, i & 0xff) + " dev mr-vx dst 198.51.100.12 self permanent");
                    }
                    Files.write(batch, lines);
                    lab.exec(ns, "bridge", "-batch", batch.toString()).orThrow();
                } finally {
                    Files.delete(batch);
                    release.countDown();
                }
                Eventually.within(Duration.ofSeconds(5), "an overrun is reported", () -> overruns.get() > 0);
                int before = messages.get();
                assertThat(before).isLessThan(1000);
                lab.exec(ns, "bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "mr-vx", "dst", "198.51.100.13", "self", "permanent").orThrow();
                Eventually.within(Duration.ofSeconds(5), "notifications flow again after the overrun", () -> messages.get() > before);
            }
        }
    }
}
