package dev.mooring.overlay.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link OverlayStatus} as JSON, by hand. The service writes the status file just before it
 * tells systemd READY, and Jackson's first serialisation of the record (introspecting a dozen record
 * types) took about a tenth of the time to READY. The output is exactly what Jackson's default
 * pretty printer gives ({@code OverlayStatusTest} compares the two on random statuses), so readers,
 * which still parse with Jackson, see no difference.
 */
final class StatusJson {

    private StatusJson() {}

    static String write(OverlayStatus s) {
        StringBuilder out = new StringBuilder(2048);
        value(out, fields(s), 0);
        return out.append('\n').toString();
    }

    // The fields of each record, in declaration order (Jackson's order for records).
    private static Map<String, Object> fields(OverlayStatus s) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("version", s.version());
        f.put("state", s.state());
        f.put("cluster", s.cluster());
        f.put("host", s.host());
        f.put("hostId", s.hostId());
        f.put("role", s.role());
        f.put("incarnation", s.incarnation());
        f.put("overlay", s.overlay() == null ? null : fields(s.overlay()));
        f.put("underlay", s.underlay() == null ? null : fields(s.underlay()));
        f.put("vip", s.vip() == null ? null : fields(s.vip()));
        f.put("discovery", s.discovery() == null ? null : fields(s.discovery()));
        f.put("peers", s.peers() == null ? null : s.peers().stream().map(StatusJson::fields).toList());
        f.put("members", s.members() == null ? null : s.members().stream().map(StatusJson::fields).toList());
        f.put("reconcile", s.reconcile() == null ? null : fields(s.reconcile()));
        f.put("metrics", s.metrics());
        return f;
    }

    private static Map<String, Object> fields(OverlayStatus.Overlay o) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("address", o.address());
        f.put("addressSource", o.addressSource());
        f.put("prefixLength", o.prefixLength());
        f.put("cidr", o.cidr());
        f.put("mac", o.mac());
        f.put("vip", o.vip());
        f.put("mtu", o.mtu());
        f.put("bridge", o.bridge());
        f.put("vxlan", o.vxlan());
        f.put("vni", o.vni());
        f.put("port", o.port());
        return f;
    }

    private static Map<String, Object> fields(OverlayStatus.Underlay u) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("device", u.device());
        f.put("addresses", u.addresses());
        f.put("mtu", u.mtu());
        return f;
    }

    private static Map<String, Object> fields(OverlayStatus.Vip v) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("address", v.address());
        f.put("elected", v.elected());
        f.put("holder", v.holder());
        f.put("holderId", v.holderId());
        f.put("held", v.held());
        f.put("heldSince", v.heldSince());
        return f;
    }

    private static Map<String, Object> fields(OverlayStatus.Discovery d) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("enabled", d.enabled());
        f.put("port", d.port());
        f.put("intervalMillis", d.intervalMillis());
        f.put("accepted", d.accepted());
        f.put("dropped", d.dropped());
        return f;
    }

    private static Map<String, Object> fields(OverlayStatus.PeerStatus p) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("host", p.host());
        f.put("overlay", p.overlay());
        f.put("underlay", p.underlay());
        f.put("mac", p.mac());
        return f;
    }

    private static Map<String, Object> fields(OverlayStatus.MemberStatus m) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("hostId", m.hostId());
        f.put("host", m.host());
        f.put("overlay", m.overlay());
        f.put("underlay", m.underlay());
        f.put("mac", m.mac());
        f.put("role", m.role());
        f.put("state", m.state());
        f.put("lastHeard", m.lastHeard());
        f.put("incarnation", m.incarnation());
        f.put("tentative", m.tentative());
        f.put("vipEligible", m.vipEligible());
        f.put("vipHolder", m.vipHolder());
        return f;
    }

    private static Map<String, Object> fields(OverlayStatus.Reconcile r) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("last", r.last());
        f.put("passes", r.passes());
        f.put("changesApplied", r.changesApplied());
        f.put("lastChanges", r.lastChanges());
        f.put("lastError", r.lastError());
        return f;
    }

    /**
     * Jackson's default pretty printer: an object's fields one per line, indented two spaces per
     * object level, {@code "name" : value}; arrays on one line, {@code [ a, b ]}; empty ones
     * {@code { }} and {@code [ ]}.
     */
    private static void value(StringBuilder out, Object v, int level) {
        // instanceof, not a pattern switch: that would bootstrap a type-switch class at the first
        // write, which is on the way to READY.
        if (v == null) {
            out.append("null");
        } else if (v instanceof String s) {
            string(out, s);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Boolean) {
            out.append(v);
        } else if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{ }");
                return;
            }
            out.append('{');
            String separator = "\n";
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(separator);
                out.repeat(' ', 2 * (level + 1));
                string(out, (String) e.getKey());
                out.append(" : ");
                value(out, e.getValue(), level + 1);
                separator = ",\n";
            }
            out.append('\n').repeat(' ', 2 * level).append('}');
        } else if (v instanceof List<?> list) {
            if (list.isEmpty()) {
                out.append("[ ]");
                return;
            }
            out.append("[ ");
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                value(out, list.get(i), level);
            }
            out.append(" ]");
        } else {
            throw new IllegalArgumentException("no JSON form for " + v.getClass());
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** A JSON string as Jackson escapes it: quote, backslash and control characters; nothing else. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
