package dev.mooring.overlay.reconcile;

import dev.mooring.overlay.kernel.KernelChange;
import java.util.List;

/** The link names a change acts on, for checking that the reconciler stays on its own devices. */
final class ChangeTargets {

    private ChangeTargets() {}

    static List<String> links(KernelChange change) {
        return switch (change) {
            case KernelChange.AddBridge c -> List.of(c.name());
            // The underlay is only referred to, never changed.
            case KernelChange.AddVxlan c -> List.of(c.name());
            case KernelChange.DeleteLink c -> List.of(c.name());
            case KernelChange.SetMtu c -> List.of(c.link());
            case KernelChange.SetMaster c -> List.of(c.link(), c.master());
            case KernelChange.SetUp c -> List.of(c.link());
            case KernelChange.AddAddress c -> List.of(c.link());
            case KernelChange.DeleteAddress c -> List.of(c.link());
            case KernelChange.AppendFdb c -> List.of(c.link());
            case KernelChange.DeleteFdb c -> List.of(c.link());
            case KernelChange.ReplaceNeighbour c -> List.of(c.link());
            case KernelChange.DeleteNeighbour c -> List.of(c.link());
        };
    }
}
