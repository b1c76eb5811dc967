package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;

/** What the edge exposes: listeners on the outside, and the pod endpoints admitted traffic goes to. */
public record Service(String name, List<HostPort> listen, Transport protocol, List<HostPort> endpoints,
                      Location location) {

    public Service {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(location, "location");
        listen = List.copyOf(listen);
        endpoints = List.copyOf(endpoints);
    }
}
