package dev.mooring.k8s.render;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.service.OverlayStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What prepare needs from the overlay status file ({@code /run/mooring/overlay.json}, version 2):
 * this host's overlay address, the VIP, the overlay's VXLAN port and the control-plane hosts the
 * overlay knows (this host included when it is one), ordered by overlay address.
 */
public record OverlayView(String state, String host, String role, Ipv4Address address, Ipv4Address vip, int vxlanPort,
                          List<Member> controlPlanes) {

    public static final String READY = "ready";
    public static final String CONTROL_PLANE = "control-plane";

    /** A control-plane host: its name (the etcd member name) and its overlay address. */
    public record Member(String host, Ipv4Address address) {
        public Member {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(address, "address");
        }
    }

    public OverlayView {
        controlPlanes = List.copyOf(controlPlanes);
    }

    /**
     * Reads the parts of {@code status} prepare uses. Members of every state count: a control-plane
     * host that is suspect or dead right now is still a member of the cluster.
     */
    public static OverlayView of(OverlayStatus status) {
        OverlayStatus.Overlay o = Objects.requireNonNull(status.overlay(), "the status file has no overlay section");
        Ipv4Address self = Ipv4Address.parse(o.address());
        List<Member> cps = new ArrayList<>();
        if (CONTROL_PLANE.equals(status.role())) {
            cps.add(new Member(status.host(), self));
        }
        if (status.members() != null) {
            for (OverlayStatus.MemberStatus m : status.members()) {
                if (CONTROL_PLANE.equals(m.role()) && m.overlay() != null && !m.tentative()) {
                    cps.add(new Member(m.host(), Ipv4Address.parse(m.overlay())));
                }
            }
        }
        cps.sort(Comparator.comparing(Member::address));
        String vip = status.vip() != null && status.vip().address() != null ? status.vip().address() : o.vip();
        return new OverlayView(status.state(), status.host(), status.role(), self, Ipv4Address.parse(vip), o.port(), cps);
    }
}
