package dev.mooring.firstboot.apply;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Everything one instance's user-data changes, in order; fixed at the instance's first run. */
public record Plan(String instanceId, List<Step> steps) {

    public Plan {
        steps = List.copyOf(steps);
        Set<String> ids = new HashSet<>();
        for (Step step : steps) {
            if (!ids.add(step.id())) {
                throw new IllegalArgumentException("steps: the id '" + step.id() + "' appears twice");
            }
        }
    }
}
