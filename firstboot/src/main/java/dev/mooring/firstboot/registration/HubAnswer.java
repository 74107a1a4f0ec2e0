package dev.mooring.firstboot.registration;

/**
 * The hub's answer to {@code POST /api/v1/register} (docs/contracts.md).
 *
 * @param address this host's overlay address
 * @param created true for 201 (a new host), false for 200 (the same machine id again)
 */
public record HubAnswer(String hostId, String apiKey, HubCluster cluster, String address, boolean created) {

    /** The cluster's overlay settings as the hub hands them out. */
    public record HubCluster(String name, String cidr, String vip, int vni, int port, String key) {
        @Override
        public String toString() {
            return "HubCluster[" + name + ", " + cidr + ", vip " + vip + ", vni " + vni + ", port " + port + ", key redacted]";
        }
    }

    @Override
    public String toString() {
        return "HubAnswer[" + hostId + ", apiKey redacted, " + cluster + ", " + address + (created ? ", new" : ", again") + "]";
    }
}
