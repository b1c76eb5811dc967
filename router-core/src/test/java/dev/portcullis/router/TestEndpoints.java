package dev.portcullis.router;

import dev.portcullis.policy.HostPort;
import java.util.ArrayList;
import java.util.List;

/** Endpoints for tests: 10.0.0.1:8080, 10.0.0.2:8080, ... */
final class TestEndpoints {

    private TestEndpoints() {
    }

    static List<Endpoint> of(int n) {
        List<Endpoint> list = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            list.add(new Endpoint(HostPort.parse("10.0." + (i / 250) + "." + (i % 250 + 1) + ":8080")));
        }
        return list;
    }
}
