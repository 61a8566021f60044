package dev.foresight.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.configuration.ssl.ClientAuth;
import org.neo4j.configuration.ssl.SslPolicyConfig;
import org.neo4j.configuration.ssl.SslPolicyScope;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Runs embedded Neo4j Community for the local Foresight stack with only the Bolt connector.
 *
 * <p>Environment:
 * <ul>
 *   <li>NEO4J_HOME_DIR — database home (data/ and logs/ live below it), default ./.stack/data/neo4j</li>
 *   <li>NEO4J_BOLT_ADDRESS — listen address, default 127.0.0.1:7687</li>
 *   <li>NEO4J_AUTH — "none" (default) or "user/password": enables auth and makes sure that user exists
 *       with that password (no forced change).</li>
 *   <li>NEO4J_PAGECACHE — page cache size, e.g. 128m (default)</li>
 *   <li>NEO4J_TLS_DIR — when set, Bolt requires TLS with the PEM key pair in that directory (private.key, PKCS#8,
 *       and public.crt; an empty trusted/ and revoked/ below it): the secured profile of infra/stack.sh.</li>
 * </ul>
 * Prints "NEO4J_READY bolt://host:port" on stdout once the default database is available, and shuts
 * down cleanly on SIGTERM/SIGINT (JVM shutdown hook).
 */
public final class Launcher {

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        Path home = Path.of(env.getOrDefault("NEO4J_HOME_DIR", ".stack/data/neo4j")).toAbsolutePath();
        String bolt = env.getOrDefault("NEO4J_BOLT_ADDRESS", "127.0.0.1:7687");
        String auth = env.getOrDefault("NEO4J_AUTH", "none").trim();
        long pageCache = ByteUnit.parse(env.getOrDefault("NEO4J_PAGECACHE", "128m"));

        String user = null;
        String password = null;
        if (!auth.isEmpty() && !auth.equalsIgnoreCase("none")) {
            int slash = auth.indexOf('/');
            if (slash <= 0 || slash == auth.length() - 1) {
                System.err.println("NEO4J_AUTH must be 'none' or 'user/password'");
                System.exit(2);
            }
            user = auth.substring(0, slash);
            password = auth.substring(slash + 1);
            if (password.length() < 8) {
                System.err.println("NEO4J_AUTH password must be at least 8 characters (Neo4j 5 policy)");
                System.exit(2);
            }
        }

        int colon = bolt.lastIndexOf(':');
        if (colon <= 0) {
            System.err.println("NEO4J_BOLT_ADDRESS must be host:port, got " + bolt);
            System.exit(2);
        }
        SocketAddress boltAddress =
                new SocketAddress(bolt.substring(0, colon), Integer.parseInt(bolt.substring(colon + 1)));

        Files.createDirectories(home);
        long t0 = System.nanoTime();
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        String tlsDir = env.getOrDefault("NEO4J_TLS_DIR", "").trim();
        if (!tlsDir.isEmpty()) {
            Path base = Path.of(tlsDir).toAbsolutePath();
            Files.createDirectories(base.resolve("trusted"));
            Files.createDirectories(base.resolve("revoked"));
            SslPolicyConfig policy = SslPolicyConfig.forScope(SslPolicyScope.BOLT);
            builder.setConfig(policy.enabled, true)
                    .setConfig(policy.base_directory, base)
                    .setConfig(policy.private_key, base.resolve("private.key"))
                    .setConfig(policy.public_certificate, base.resolve("public.crt"))
                    .setConfig(policy.client_auth, ClientAuth.NONE)
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.REQUIRED);
        }
        DatabaseManagementService dbms = builder
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, boltAddress)
                .setConfig(BoltConnector.advertised_address, boltAddress)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, user != null)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
                // Defaults wait 5 s twice (thread pool + connections) when Bolt stops; a test stack
                // wants a quick stop.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("NEO4J_STOPPING");
            try {
                dbms.shutdown();
            } catch (RuntimeException e) {
                e.printStackTrace();
            } finally {
                System.out.println("NEO4J_STOPPED");
                System.out.flush();
                stopped.countDown();
            }
        }, "neo4j-shutdown"));

        if (user != null) {
            GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            Map<String, Object> params = Map.of("password", password);
            String quoted = "`" + user.replace("`", "``") + "`";
            system.executeTransactionally(
                    "CREATE USER " + quoted + " IF NOT EXISTS SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    params);
            try {
                system.executeTransactionally(
                        "ALTER USER " + quoted + " SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED", params);
            } catch (RuntimeException e) {
                // The user was just created with this password (or kept it from the last start): nothing to change.
                if (!String.valueOf(e.getMessage()).contains("Old password and new password cannot be the same")) {
                    throw e;
                }
            }
        }

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        db.executeTransactionally("RETURN 1");
        System.out.printf("NEO4J_READY bolt://%s auth=%s tls=%s started_in=%dms%n",
                bolt, user == null ? "none" : user, tlsDir.isEmpty() ? "off" : "required", (System.nanoTime() - t0) / 1_000_000);
        System.out.flush();

        stopped.await();
    }
}
