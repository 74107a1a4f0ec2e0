package dev.mooring.overlay.netlink;

import static dev.mooring.overlay.netlink.Rtnetlink.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request socket's dump handling against the real kernel. */
@RequiresNetns
class NetlinkSocketTest {

    @Test
    void aDumpAbandonedHalfwayDoesNotBlockTheNextOne() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1);
             NetworkNamespace namespace = NetworkNamespace.open(lab.host(1).namespaceFile())) {
            String ns = lab.host(1).namespace();
            lab.exec(ns, "ip", "link", "add", "mr-vx", "type", "vxlan", "id", "7", "dstport", "4789", "dev", "eth0", "nolearning").orThrow();
            Path batch = Files.createTempFile("mr-fdb", ".batch");
            try {
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    lines.add("fdb append " + String.format("02:00:00:00:%02x:%02x", i >> 8, i & 0xff) + " dev mr-vx dst 198.51.100.12 self permanent");
                }
                Files.write(batch, lines);
                lab.exec(ns, "bridge", "-batch", batch.toString()).orThrow();
            } finally {
                Files.delete(batch);
            }
            try (NetlinkSocket socket = NetlinkSocket.open(namespace, 0, 256 * 1024)) {
                MessageWriter writer = new MessageWriter(256);
                writer.begin(RTM_GETNEIGH, 0);
                new NeighbourHeader(AF_BRIDGE, 0, 0, 0, 0).writeTo(writer);

                assertThatThrownBy(() -> socket.dump(writer, "dump fdb", m -> {
                    throw new MalformedMessageException("stop at the first entry");
                })).hasMessage("stop at the first entry");

                List<Integer> withDestination = socket.dump(writer, "dump fdb", m -> m.type() == RTM_NEWNEIGH
                        && Attributes.after(m.payload(), NeighbourHeader.SIZE).has(NDA_DST) ? 1 : null);
                assertThat(withDestination).hasSize(400);
            }
        }
    }

    @Test
    void aRefusedRequestReportsTheErrnoAndTheKernelsText() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1);
             NetworkNamespace namespace = NetworkNamespace.open(lab.host(1).namespaceFile());
             NetlinkSocket socket = NetlinkSocket.open(namespace, 0, 256 * 1024)) {
            MessageWriter writer = new MessageWriter(256);
            writer.begin(RTM_NEWLINK, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL);
            new LinkHeader(AF_UNSPEC, 0, 0, 0, 0).writeTo(writer);
            writer.attributeString(IFLA_IFNAME, "mr-x");
            int info = writer.beginNested(IFLA_LINKINFO);
            writer.attributeString(IFLA_INFO_KIND, "no-such-kind");
            writer.endNested(info);

            assertThatThrownBy(() -> socket.exchange(writer, "create mr-x", m -> null))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP);
                        assertThat(e.kernelMessage()).contains("Unknown device type");
                    });
            // The socket stays usable: the next request gets its own answer.
            writer.begin(RTM_GETLINK, 0);
            new LinkHeader(AF_UNSPEC, 0, 0, 0, 0).writeTo(writer);
            writer.attributeString(IFLA_IFNAME, "lo");
            assertThat(socket.exchange(writer, "get lo", m -> LinkHeader.parse(m.payload()).index())).containsExactly(1);
        }
    }
}
