package dev.mooring.overlay.service;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.config.OverlayConfig.StaticPeer;
import dev.mooring.overlay.hub.HubPeer;
import dev.mooring.overlay.membership.Member;
import dev.mooring.overlay.membership.MemberState;
import dev.mooring.overlay.reconcile.Peer;
import dev.mooring.overlay.vip.Candidate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What membership means for this host's kernel and for the VIP: the peers to program (members
 * heard by discovery, dead ones included, and the static peers of overlay.yaml) and the
 * candidates of the VIP election. Pure functions of their arguments.
 */
final class ClusterPeers {

    /** A member that is heard beats one that is not; a persisted claim beats a tentative one. */
    private static final Comparator<Member> PREFERRED = ClusterPeers::preferred;

    private ClusterPeers() {}

    // Spelled out, not chained with Comparator.comparing: those comparators are serializable
    // lambdas, which the AOT cache does not hold; the service would spin four classes at start.
    private static int preferred(Member a, Member b) {
        int order = Boolean.compare(a.flags().tentative(), b.flags().tentative());
        if (order == 0) {
            order = Integer.compare(a.state().ordinal(), b.state().ordinal());
        }
        if (order == 0) {
            order = b.lastHeard().compareTo(a.lastHeard());
        }
        return order != 0 ? order : a.hostId().compareTo(b.hostId());
    }

    /**
     * The peers for the forwarding table, one per overlay address: every member (a dead one keeps
     * its entries, it may come back at a new address), then each static peer whose address no
     * member announces. Members claiming this host's address or the VIP are left out (a conflict
     * the claimant resolves, not something to forward to); of several members claiming one
     * address the {@link #PREFERRED} one is taken.
     */
    static List<Peer> peers(Collection<Member> members, List<StaticPeer> statics, Ipv4Address self, Ipv4Address vip) {
        Map<Ipv4Address, Peer> out = new LinkedHashMap<>();
        members.stream()
                .filter(m -> !m.overlay().equals(self) && !m.overlay().equals(vip) && !m.underlay().isUnspecified())
                .sorted(PREFERRED)
                .forEach(m -> out.putIfAbsent(m.overlay(), new Peer(name(m), m.overlay(), m.underlay())));
        for (StaticPeer p : statics) {
            out.putIfAbsent(p.address(), new Peer(p.host(), p.address(), p.underlay()));
        }
        return out.values().stream().sorted(Peer.BY_ADDRESS).toList();
    }

    /**
     * The hub's peers as static peers, to follow the members and the file's static peers (so they
     * never override fresher data): each with its first underlay address, leaving out this host,
     * the VIP and entries that could not be forwarded to (no underlay, an underlay inside the CIDR).
     */
    static List<StaticPeer> hubPeers(List<HubPeer> peers, Ipv4Address self, Ipv4Address vip, Cidr cidr) {
        List<StaticPeer> out = new ArrayList<>();
        for (HubPeer p : peers) {
            if (p.overlay().equals(self) || p.overlay().equals(vip) || !cidr.contains(p.overlay())) {
                continue;
            }
            p.underlay().stream().filter(u -> !u.isUnspecified() && !cidr.contains(u)).findFirst()
                    .ifPresent(u -> out.add(new StaticPeer(p.hostname(), p.overlay(), u)));
        }
        return out;
    }

    /**
     * The VIP election's candidates: every member as it announces itself (alive only while it is
     * heard: a suspect holder is not trusted), and this host.
     */
    static List<Candidate> candidates(Collection<Member> members, Candidate self) {
        List<Candidate> out = new ArrayList<>(members.size() + 1);
        for (Member m : members) {
            out.add(new Candidate(m.hostId(), m.overlay(), m.role(), m.state() == MemberState.ALIVE,
                    m.flags().vipEligible() && !m.flags().leaving()));
        }
        out.add(self);
        return out;
    }

    /** This host as a candidate: always alive to itself, eligible when control plane and healthy. */
    static Candidate self(String hostId, Ipv4Address address, OverlayConfig.Role role, boolean healthy) {
        return new Candidate(hostId, address, role, true, role == OverlayConfig.Role.CONTROL_PLANE && healthy);
    }

    static String name(Member m) {
        return m.hostName().isBlank() ? m.hostId() : m.hostName();
    }
}
