package dev.portcullis.policy;

import static dev.portcullis.policy.PolicyLoaderTest.BASE;
import static dev.portcullis.policy.PolicyLoaderTest.repoFile;
import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps configs/schema/portcullis-policy.schema.json, the JSON Schema editors use to check and complete policy
 * files, honest against the loader: the examples and the loader tests' valid base pass it, its keys are the
 * reader's keys, and invalid variants are refused by both. Semantic checks (references, overlaps) are the
 * loader's alone; a test below pins that boundary.
 */
class PolicySchemaTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static SchemaRegistry registry;
    private static JsonNode schemaTree;
    private static Schema schema;

    /** One schema violation, flattened for readable assertion failures. */
    private record Violation(String location, String keyword, String message) {
        @Override
        public String toString() {
            return location + " [" + keyword + "] " + message;
        }
    }

    @BeforeAll
    static void loadSchema() throws IOException {
        schemaTree = JSON.readTree(Files.readString(repoFile("configs/schema/portcullis-policy.schema.json")));
        registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b.schemaRegistryConfig(
                SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build()));
        schema = registry.getSchema(schemaTree);
    }

    /**
     * The YAML as a JSON tree of maps, lists and scalars. snakeyaml-engine's default settings resolve scalars by
     * YAML 1.2's JSON schema (true, false, null, JSON numbers; the rest is text). Editors use the core schema,
     * which differs only in forms a policy has no use for, such as True, ~ and 0x1F.
     */
    private static JsonNode yamlTree(String yaml) {
        Object document = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        return JSON.valueToTree(document);
    }

    private static List<Violation> violations(String yaml) {
        return schema.validate(yamlTree(yaml)).stream()
                .map(e -> new Violation(e.getInstanceLocation().toString(), e.getKeyword(), e.getMessage()))
                .toList();
    }

    /**
     * The schema refuses it with a {@code keyword} violation at {@code location} (a JSON pointer into the document;
     * an {@code anyOf} reports its branches' violations), and the loader refuses it too.
     */
    private static void assertRejected(String yaml, String location, String keyword) {
        List<Violation> v = violations(yaml);
        assertThat(v).as("schema violations").isNotEmpty()
                .anySatisfy(x -> {
                    assertThat(x.location()).isEqualTo(location);
                    assertThat(x.keyword()).isEqualTo(keyword);
                });
        assertThat(PolicyLoader.check("p.yaml", yaml).valid()).as("the loader agrees it is invalid").isFalse();
    }

    // ---- the schema itself ----

    @Test
    void schema_itself_isAValidDraft202012Schema() {
        Schema meta = registry.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
        assertThat(meta.validate(schemaTree)).isEmpty();
        assertThat(schemaTree.get("$schema").asString()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schemaTree.get("$id").asString()).startsWith("urn:portcullis:policy:");
        assertThat(schemaTree.get("title").asString()).isNotBlank();
        assertThat(schemaTree.get("description").asString()).contains("shape only");
    }

    @Test
    void schema_everyPropertyAndDefinition_hasADescription() {
        List<String> missing = new ArrayList<>();
        collectUndescribed(schemaTree, "#", missing);
        assertThat(missing).as("schemas without a description (editors show it as hover help)").isEmpty();
    }

    private static void collectUndescribed(JsonNode node, String path, List<String> missing) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectUndescribed(node.get(i), path + "/" + i, missing);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (key.equals("properties") || key.equals("$defs")) {
                for (Map.Entry<String, JsonNode> p : value.properties()) {
                    if (!p.getValue().path("description").isString()
                            || p.getValue().path("description").asString().isBlank()) {
                        missing.add(path + "/" + key + "/" + p.getKey());
                    }
                }
            } else if (key.equals("additionalProperties") && value.isObject()
                    && !value.path("description").isString()) {
                missing.add(path + "/" + key);
            }
            collectUndescribed(value, path + "/" + key, missing);
        }
    }

    @Test
    void schema_keysAndRequiredKeys_matchTheReader() {
        JsonNode rule = schemaTree.at("/$defs/rule");
        JsonNode service = schemaTree.at("/$defs/service");
        JsonNode node = schemaTree.at("/$defs/node");
        JsonNode cluster = schemaTree.at("/properties/cluster");
        assertThat(keys(schemaTree)).isEqualTo(PolicyReader.TOP_KEYS);
        assertThat(keys(cluster)).isEqualTo(PolicyReader.CLUSTER_KEYS);
        assertThat(keys(node)).isEqualTo(PolicyReader.NODE_KEYS);
        assertThat(keys(service)).isEqualTo(PolicyReader.SERVICE_KEYS);
        assertThat(keys(rule)).isEqualTo(PolicyReader.RULE_KEYS);
        for (JsonNode object : List.of(schemaTree, cluster, node, service, rule)) {
            assertThat(object.get("additionalProperties").asBoolean(true)).isFalse();
        }
        assertThat(required(schemaTree)).containsExactlyInAnyOrder("version", "cluster");
        assertThat(required(cluster)).containsExactlyInAnyOrder("name", "podCIDR", "serviceCIDR");
        assertThat(required(node)).containsExactlyInAnyOrderElementsOf(PolicyReader.NODE_KEYS);
        assertThat(required(service)).containsExactlyInAnyOrder("listen", "endpoints");
        assertThat(required(rule)).containsExactlyInAnyOrder("name", "action");
    }

    @Test
    void schema_protocolNames_matchTheLoader() {
        Set<String> names = new HashSet<>();
        schemaTree.at("/$defs/protocol/anyOf/0/enum").forEach(n -> names.add(n.asString()));
        assertThat(names).isEqualTo(IpProtocols.names());
        Set<String> actions = new HashSet<>();
        schemaTree.at("/$defs/action/enum").forEach(n -> actions.add(n.asString()));
        assertThat(actions).containsExactlyInAnyOrder(
                Stream.of(Action.values()).map(Action::word).toArray(String[]::new));
    }

    private static Set<String> keys(JsonNode object) {
        return new HashSet<>(object.get("properties").propertyNames());
    }

    private static List<String> required(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.get("required").forEach(n -> out.add(n.asString()));
        return out;
    }

    // ---- policies the schema accepts ----

    @Test
    void schema_exampleFiles_validate() throws IOException {
        Path examples = repoFile("configs/examples");
        List<Path> files;
        try (Stream<Path> s = Files.list(examples)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            assertThat(violations(Files.readString(f))).as(f.getFileName().toString()).isEmpty();
        }
    }

    @Test
    void schema_loaderTestBase_validates() {
        assertThat(violations(BASE)).isEmpty();
    }

    /** Forms the loader accepts that the schema must not flag: a scalar for a list, numbers, IPv6 forms. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            scalar for a list         | 'source: [$office]'          | 'source: $office'
            scalar port range         | 'sourcePorts: [1024-65535]'  | 'sourcePorts: 1024-65535'
            integer port              | 'sourcePorts: [1024-65535]'  | 'sourcePorts: 1024'
            quoted port               | 'sourcePorts: [1024-65535]'  | 'sourcePorts: ["1024"]'
            spaced range              | 'sourcePorts: [1024-65535]'  | 'sourcePorts: ["1024 - 65535"]'
            protocol number           | 'protocol: tcp\n    action'  | 'protocol: 6\n    action'
            destination address list  | 'destination: [service:web]' | 'destination: [203.0.113.0/24, 192.0.2.1]'
            IPv4-mapped IPv6 in a set | 'office: ['                  | 'office: ["::ffff:192.0.2.0/120", '
            set of sets               | '  web-ports: ['             | '  all: [$office, 192.0.2.0/24]\n  web-ports: ['
            log false                 | 'log: true'                  | 'log: false'
            default reject            | 'default: drop'              | 'default: reject'
            udp service               | 'tcp\n    endpoints'         | 'udp\n    endpoints'
            """)
    void schema_acceptedVariant_validatesAndLoads(String what, String from, String to) {
        String yaml = edit(BASE, from.replace("\\n", "\n"), to.replace("\\n", "\n"));
        assertThat(violations(yaml)).as(what).isEmpty();
        assertThat(PolicyLoader.check("p.yaml", yaml).diagnostics()).as("loader on " + what).isEmpty();
    }

    // ---- policies the schema refuses (and so does the loader) ----

    @Test
    void schema_unknownKey_rejected() {
        assertRejected(edit(BASE, "    sourcePorts: [1024-65535]", "    sourcePort: [1024-65535]"),
                "/rules/0", "additionalProperties");
        assertRejected(edit(BASE, "default: drop", "Default: drop"), "", "additionalProperties");
        assertRejected(edit(BASE, "    protocol: tcp\n    endpoints", "    proto: tcp\n    endpoints"),
                "/services/web", "additionalProperties");
    }

    @Test
    void schema_badAction_rejected() {
        assertRejected(edit(BASE, "action: accept", "action: allow"), "/rules/0/action", "enum");
        assertRejected(edit(BASE, "default: drop", "default: deny"), "/default", "enum");
    }

    @Test
    void schema_badPort_rejected() {
        assertRejected(edit(BASE, "web-ports: [80, 443, 8000-8099]", "web-ports: [80, 70000, 8000-8099]"),
                "/sets/web-ports/1", "maximum");
        assertRejected(edit(BASE, "sourcePorts: [1024-65535]", "sourcePorts: [22:22]"),
                "/rules/0/sourcePorts/0", "pattern");
        assertRejected(edit(BASE, "sourcePorts: [1024-65535]", "sourcePorts: [1024-65536]"),
                "/rules/0/sourcePorts/0", "pattern");
        assertRejected(edit(BASE, "listen: [203.0.113.10:443]", "listen: [203.0.113.10:0]"),
                "/services/web/listen/0", "pattern");
    }

    @Test
    void schema_emptyList_rejected() {
        assertRejected(edit(BASE, "sourcePorts: [1024-65535]", "sourcePorts: []"),
                "/rules/0/sourcePorts", "minItems");
        assertRejected(edit(BASE, "podCIDR: [10.244.0.0/16]", "podCIDR: []"), "/cluster/podCIDR", "minItems");
    }

    @Test
    void schema_missingRuleName_rejected() {
        assertRejected(edit(BASE, "  - name: office-to-web\n    source:", "  - source:"), "/rules/0", "required");
    }

    @Test
    void schema_badSetName_rejected() {
        assertRejected(edit(BASE, "  web-ports: [80", "  _web-ports: [80"), "/sets", "propertyNames");
        assertRejected(edit(BASE, "services:\n  web:", "services:\n  web/1:")
                .replace("service:web", "service:web/1"), "/services", "propertyNames");
    }

    /** More shapes the loader refuses; the schema must flag each at {@code location} (a JSON pointer). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            missing cluster     | 'cluster:'                  | 'klaster:'                  | ''
            version 2           | 'version: 1'                | 'version: 2'                | /version
            log: yes            | 'log: true'                 | 'log: yes'                  | /rules/0/log
            any as an address   | 'source: [$office]'         | 'source: [any]'             | /rules/0/source/0
            service as a source | 'source: [$office]'         | 'source: [service:web]'     | /rules/0/source/0
            malformed address   | 'source: [$office]'         | 'source: [198.51.100]'      | /rules/0/source/0
            prefix length 33    | 'podCIDR: [10.244.0.0/16]'  | 'podCIDR: [10.244.0.0/33]'  | /cluster/podCIDR/0
            unknown protocol    | 'protocol: tcp\n    action' | 'protocol: tpc\n    action' | /rules/0/protocol
            protocol 256        | 'protocol: tcp\n    action' | 'protocol: 256\n    action' | /rules/0/protocol
            sctp service        | 'tcp\n    endp'             | 'sctp\n    endp'            | /services/web/protocol
            endpoint, no port   | '10.244.2.7:8443'           | '10.244.2.7'                | /services/web/endpoints/1
            node, no address    | ', address: 192.168.56.12'  | ''                          | /cluster/nodes/1
            """)
    void schema_invalidVariant_rejected(String what, String from, String to, String location) {
        String yaml = edit(BASE, from.replace("\\n", "\n"), to.replace("\\n", "\n"));
        List<Violation> v = violations(yaml);
        assertThat(v).as(what).isNotEmpty();
        assertThat(v).as(what).anyMatch(x -> x.location().equals(location));
        assertThat(PolicyLoader.check("p.yaml", yaml).valid()).as("loader on " + what).isFalse();
    }

    // ---- the boundary: meaning is the loader's ----

    @Test
    void schema_semanticErrors_areLeftToTheLoader() {
        for (String yaml : List.of(
                edit(BASE, "source: [$office]", "source: [$ofice]"),                  // undefined set
                edit(BASE, "sourcePorts: [1024-65535]", "sourcePorts: [65535-1024]"), // reversed range
                edit(BASE, "podCIDR: 10.244.2.0/24", "podCIDR: 10.244.1.128/25"),     // overlapping nodes
                edit(BASE, "198.51.100.0/24", "198.51.100.7/24"))) {                  // host bits set
            assertThat(violations(yaml)).isEmpty();
            assertThat(PolicyLoader.check("p.yaml", yaml).valid()).isFalse();
        }
    }

    /** {@code text} with {@code from}, which must occur exactly once, replaced by {@code to}. */
    private static String edit(String text, String from, String to) {
        int at = text.indexOf(from);
        assertThat(at).as("test data: '%s' occurs in the base", from).isNotNegative();
        assertThat(text.indexOf(from, at + 1)).as("test data: '%s' occurs only once", from).isNegative();
        return text.substring(0, at) + to + text.substring(at + from.length());
    }
}
