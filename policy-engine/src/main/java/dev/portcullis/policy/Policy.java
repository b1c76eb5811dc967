package dev.portcullis.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole, valid policy as read from one file: the cluster, named sets, services, the ordered rules and the
 * default action. Immutable.
 *
 * @param source the name the policy was read from (a file path), used in every location
 * @param warnings the warnings found while checking it (a policy with errors is never built)
 */
public record Policy(
        String source,
        int version,
        Cluster cluster,
        Map<String, NamedSet> sets,
        List<Service> services,
        List<Rule> rules,
        Action defaultAction,
        List<Diagnostic> warnings) {

    public Policy {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(defaultAction, "defaultAction");
        sets = Map.copyOf(sets);
        services = List.copyOf(services);
        rules = List.copyOf(rules);
        warnings = List.copyOf(warnings);
    }

    public Optional<Service> service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<Rule> rule(String name) {
        return rules.stream().filter(r -> r.name().equals(name)).findFirst();
    }
}
