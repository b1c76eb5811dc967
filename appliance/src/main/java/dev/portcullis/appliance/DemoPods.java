package dev.portcullis.appliance;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.policy.HostPort;
import dev.portcullis.policy.Policy;
import dev.portcullis.policy.Service;
import dev.portcullis.policy.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small stand-ins for pods, for the demo: an HTTP server on each TCP endpoint that answers which pod it is, and
 * an echo on each UDP endpoint. Loopback only.
 */
final class DemoPods implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoPods.class);

    private final List<HttpServer> http = new ArrayList<>();
    private final List<DatagramSocket> udp = new ArrayList<>();

    /** Starts a pod for every endpoint of every service in {@code policy}; endpoints must be loopback addresses. */
    static DemoPods start(Policy policy) throws IOException {
        DemoPods pods = new DemoPods();
        try {
            for (Service s : policy.services()) {
                for (HostPort e : s.endpoints()) {
                    InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(e.address().toString()),
                            e.port());
                    if (!at.getAddress().isLoopbackAddress()) {
                        throw new IOException("demo pod " + e + " is not a loopback address");
                    }
                    if (s.protocol() == Transport.TCP) {
                        pods.http.add(httpPod(s.name(), at));
                    } else {
                        pods.udp.add(echoPod(at));
                    }
                }
            }
        } catch (IOException | RuntimeException ex) {
            pods.close();
            throw ex;
        }
        return pods;
    }

    private static HttpServer httpPod(String service, InetSocketAddress at) throws IOException {
        HttpServer server = HttpServer.create(at, 128);
        byte[] body = ("hello from pod " + at.getAddress().getHostAddress() + ":" + at.getPort() + " (service "
                + service + ")\n").getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    private static DatagramSocket echoPod(InetSocketAddress at) throws SocketException {
        DatagramSocket socket = new DatagramSocket(at);
        Thread.ofVirtual().name("demo-echo-" + at).start(() -> {
            byte[] buf = new byte[65_535];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    socket.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), p.getSocketAddress()));
                } catch (IOException e) {
                    if (!socket.isClosed()) {
                        LOG.warn("echoPod: {}: {}", at, e.toString());
                    }
                }
            }
        });
        return socket;
    }

    @Override
    public void close() {
        http.forEach(s -> s.stop(0));
        udp.forEach(DatagramSocket::close);
    }
}
