package dev.mooring.hub.store;

import dev.mooring.hub.api.ApiException;
import java.util.List;
import java.util.Optional;

/**
 * Where the hub keeps clusters, tokens and hosts. Every method is one transaction; an
 * {@link ApiException} is a refusal the client caused (a conflict, an exhausted CIDR), a
 * {@link StoreException} a failure of the store itself.
 */
public interface Store extends AutoCloseable {

    /** A cluster with the number of hosts registered in it. */
    record ClusterSummary(ClusterRecord cluster, int hosts) {}

    /** Creates the cluster, or returns the existing one of that name (the caller compares them). */
    CreatedCluster createCluster(ClusterRecord cluster) throws StoreException;

    record CreatedCluster(ClusterRecord cluster, boolean created) {}

    Optional<ClusterRecord> cluster(String name) throws StoreException;

    List<ClusterSummary> clusters() throws StoreException;

    void createToken(TokenRecord token) throws StoreException;

    Optional<TokenRecord> token(String id) throws StoreException;

    /** Marks the token revoked; false when the cluster has no such token. */
    boolean revokeToken(String cluster, String id) throws StoreException;

    Registration.Outcome register(Registration registration) throws StoreException, ApiException;

    Optional<HostRecord> host(String hostId) throws StoreException;

    List<HostRecord> hosts(String cluster) throws StoreException;

    /** Removes the host; its address stays taken for good. False when the cluster has no such host. */
    boolean removeHost(String cluster, String hostId) throws StoreException;

    /** Records heartbeats of hosts that still exist (a removed host's late heartbeat is dropped). */
    void heartbeats(List<Heartbeat> beats) throws StoreException;

    /** Every address ever given out in the cluster (for tests and checks), hosts removed included. */
    List<String> assignedAddresses(String cluster) throws StoreException;

    @Override
    void close();
}
