package dev.portcullis.image;

import java.util.List;

/**
 * The appliance's health after a boot: policy loaded, listeners up, console reachable. Supplied by the appliance;
 * called repeatedly from one thread until it passes or time runs out.
 */
@FunctionalInterface
public interface HealthCheck {

    /** What is not healthy yet, one line each; empty when healthy. Must not throw. */
    List<String> problems();
}
