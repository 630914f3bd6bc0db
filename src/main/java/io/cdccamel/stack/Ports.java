package io.cdccamel.stack;

import io.cdccamel.base.StackStartException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Port checks made before anything binds, so that a busy port is one clear line, not a stack trace. */
public final class Ports {

    private Ports() {
    }

    /**
     * Returns {@code port}, or a free port when it is 0.
     *
     * @throws StackStartException naming {@code property} when the port is taken
     */
    public static int claim(int port, String property) {
        if (port == 0) {
            return freePort();
        }
        if (port < 0 || port > 65535) {
            throw new StackStartException("Invalid port " + port + " in " + property + ": use 1-65535, or 0 for any free port");
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return port;
        } catch (IOException e) {
            throw new StackStartException("Port " + port + " is already in use: set " + property
                    + " to a free port (or 0 for any free port), or stop what listens there");
        }
    }

    /**
     * A free port on the loopback interface, never one this JVM handed out before: a port is free
     * until what asked for it binds, so two calls in a row can get the same one (a benchmark's
     * PostgreSQL and its KRaft controller were both given 40175, and the start hung).
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new StackStartException("Could not find a free port on the loopback interface", e);
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new StackStartException("Could not find a free port on the loopback interface that this JVM had not handed out");
    }

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
}
