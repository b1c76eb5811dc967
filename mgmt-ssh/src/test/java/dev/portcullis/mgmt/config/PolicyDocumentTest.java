package dev.portcullis.mgmt.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PolicyDocumentTest {

    static final String POLICY = """
            # Edge policy for the test cluster.
            version: 1
            cluster:
              name: test
              podCIDR: [10.244.0.0/16]
              serviceCIDR: [10.96.0.0/12]
              nodes:
                - {name: worker1, address: 192.168.56.11, podCIDR: 10.244.1.0/24}
                - {name: worker2, address: 192.168.56.12, podCIDR: 10.244.2.0/24}
            sets:
              office: [198.51.100.0/24]   # the office
            services:
              web:
                listen: [203.0.113.10:443]
                endpoints: [10.244.1.5:8443, 10.244.2.7:8443]
                healthCheck: {interval: 2s, timeout: 1s}
            rules:
              # keep the blocklist first
              - name: drop-blocklist
                source: [198.18.0.0/15]
                action: drop   # silently
              # the storefront
              - name: web
                destination: [service:web]
                action: accept
              - {name: office-ssh, source: [$office], destinationPorts: [22], action: reject}
            default: drop
            """;

    private static PolicyDocument.Edited set(String text, String path, String value) throws ConfigException {
        return new PolicyDocument(text).set(PolicyPath.parse(path), PolicyDocument.value(value));
    }

    private static PolicyDocument.Edited delete(String text, String path) throws ConfigException {
        return new PolicyDocument(text).delete(PolicyPath.parse(path));
    }

    private static void assertValid(String text) {
        PolicyLoader.PolicyCheck check = PolicyLoader.check("candidate", text);
        assertThat(check.diagnostics()).filteredOn(d -> d.isError()).isEmpty();
    }

    @Test
    void set_existingScalarInBlockRule_replacesOnlyTheValueAndKeepsItsComment() throws Exception {
        PolicyDocument.Edited e = set(POLICY, "rules.drop-blocklist.action", "reject");
        assertThat(e.layoutKept()).isTrue();
        assertThat(e.document().text()).isEqualTo(POLICY.replace("action: drop   # silently",
                "action: reject   # silently"));
        assertThat(e.description()).isEqualTo("set rules.drop-blocklist.action to reject");
        assertValid(e.document().text());
    }

    @Test
    void set_fieldOfFlowStyleRule_editsInsideTheBraces() throws Exception {
        PolicyDocument.Edited e = set(POLICY, "rules.office-ssh.destinationPorts", "[22, 2222]");
        assertThat(e.layoutKept()).isTrue();
        assertThat(e.document().text()).contains(
                "  - {name: office-ssh, source: [$office], destinationPorts: [22, 2222], action: reject}\n");
        assertValid(e.document().text());
    }

    @Test
    void set_newKeyInFlowStyleRule_appendedInsideTheBraces() throws Exception {
        PolicyDocument.Edited e = set(POLICY, "rules.office-ssh.log", "true");
        assertThat(e.document().text()).contains(
                "  - {name: office-ssh, source: [$office], destinationPorts: [22], action: reject, log: true}\n");
        assertThat(e.layoutKept()).isTrue();
    }

    @Test
    void set_newKeyInBlockRule_addedAsALineAtTheRulesIndentation() throws Exception {
        PolicyDocument.Edited e = set(POLICY, "rules.web.log", "true");
        assertThat(e.layoutKept()).isTrue();
        assertThat(e.document().text()).contains("  - name: web\n    destination: [service:web]\n"
                + "    action: accept\n    log: true\n  - {name: office-ssh");
        assertValid(e.document().text());
    }

    @Test
    void set_newRule_appendedLastInFlowStyleAndNamed() throws Exception {
        PolicyDocument.Edited e = set(POLICY, "rules.partners.source", "[203.0.113.128/25]");
        assertThat(e.layoutKept()).isTrue();
        assertThat(e.document().text()).endsWith(
                "  - {name: office-ssh, source: [$office], destinationPorts: [22], action: reject}\n"
                + "  - {name: partners, source: [203.0.113.128/25]}\ndefault: drop\n");
        assertThat(e.description()).contains("at the end of rules").contains("the last rule");
        // not yet valid: a rule needs an action; the check says so at the new rule's line
        PolicyLoader.PolicyCheck check = PolicyLoader.check("candidate", e.document().text());
        assertThat(check.diagnostics().getFirst().format()).startsWith("candidate:27:5: error: rule 'partners' has "
                + "no 'action'");
        PolicyDocument.Edited f = e.document().set(PolicyPath.parse("rules.partners.action"),
                PolicyDocument.value("accept"));
        assertThat(f.document().text()).contains(
                "  - {name: partners, source: [203.0.113.128/25], action: accept}\n");
        assertValid(f.document().text());
    }

    @Test
    void set_wholeRuleAsMapping_nameAddedFirst() throws Exception {
        PolicyDocument.Edited e = set(POLICY, "rules.ping", "{protocol: icmp, action: accept}");
        assertThat(e.document().text()).contains("  - {name: ping, protocol: icmp, action: accept}\n");
        assertValid(e.document().text());
    }

    @Test
    void set_replaceBlockRuleWithMapping_becomesFlowRuleInPlace() throws Exception {
        PolicyDocument.Edited e = set(POLICY, "rules.web", "{destination: [service:web], action: reject}");
        assertThat(e.layoutKept()).isTrue();
        assertThat(e.document().text()).contains("  # the storefront\n"
                + "  - {name: web, destination: [service:web], action: reject}\n  - {name: office-ssh");
    }

    @Test
    void set_newServiceAndNestedKeys_createdAsFlowMappings() throws Exception {
        PolicyDocument.Edited e = set(POLICY, "services.api.listen", "[203.0.113.10:8080]");
        assertThat(e.document().text()).contains("    healthCheck: {interval: 2s, timeout: 1s}\n"
                + "  api: {listen: [203.0.113.10:8080]}\nrules:");
        PolicyDocument.Edited f = e.document().set(PolicyPath.parse("services.api.endpoints"),
                PolicyDocument.value("[10.244.1.9:8080]"));
        assertThat(f.document().text()).contains("  api: {listen: [203.0.113.10:8080], endpoints: [10.244.1.9:8080]}");
        assertValid(f.document().text());
        PolicyDocument.Edited g = f.document().set(PolicyPath.parse("services.web.timeouts.idle"),
                PolicyDocument.value("15m"));
        assertThat(g.document().text()).contains("    healthCheck: {interval: 2s, timeout: 1s}\n"
                + "    timeouts: {idle: 15m}\n  api:");
        assertValid(g.document().text());
    }

    @Test
    void set_blockListValue_replacedByFlowListOnTheKeysLine() throws Exception {
        String text = """
                version: 1
                cluster:
                  name: t
                  podCIDR:
                    - 10.244.0.0/16   # v4
                  serviceCIDR: [10.96.0.0/12]
                default: drop
                """;
        PolicyDocument.Edited e = set(text, "cluster.podCIDR", "[10.244.0.0/16, \"fd00:10:244::/56\"]");
        assertThat(e.layoutKept()).isTrue();
        assertThat(e.document().text()).isEqualTo("""
                version: 1
                cluster:
                  name: t
                  podCIDR: [10.244.0.0/16, fd00:10:244::/56]   # v4
                  serviceCIDR: [10.96.0.0/12]
                default: drop
                """);
    }

    @Test
    void set_blockScalarValue_keepsTheLineBreak() throws Exception {
        String text = "version: 1\ndescription: |\n  two\n  lines\ndefault: drop\n";
        PolicyDocument.Edited e = set(text, "description", "one");
        assertThat(e.document().text()).isEqualTo("version: 1\ndescription: one\ndefault: drop\n");
        assertThat(e.layoutKept()).isTrue();
    }

    @Test
    void set_emptyValue_filledOnItsLine() throws Exception {
        String text = "version: 1\nsets:\ndefault: drop\n";
        PolicyDocument.Edited e = set(text, "sets", "{office: [198.51.100.0/24]}");
        assertThat(e.document().text()).isEqualTo("version: 1\nsets: {office: [198.51.100.0/24]}\ndefault: drop\n");
    }

    @Test
    void set_newTopLevelKey_textWithoutFinalNewline_addsALine() throws Exception {
        PolicyDocument.Edited e = set("version: 1\ncluster: {name: t}", "default", "reject");
        assertThat(e.document().text()).isEqualTo("version: 1\ncluster: {name: t}\ndefault: reject\n");
    }

    @Test
    void set_nodeByName_editsThatNode() throws Exception {
        PolicyDocument.Edited e = set(POLICY, "cluster.nodes.worker2.address", "192.168.56.22");
        assertThat(e.document().text()).contains(
                "    - {name: worker2, address: 192.168.56.22, podCIDR: 10.244.2.0/24}");
    }

    @Test
    void set_valuesNeedingQuotes_areQuoted() throws Exception {
        PolicyDocument.Edited e = set(POLICY, "services.web.listen", "['[2001:db8::10]:443', 203.0.113.10:443]");
        assertThat(e.document().text()).contains("listen: [\"[2001:db8::10]:443\", 203.0.113.10:443]");
        PolicyDocument.Edited f = set(POLICY, "services.web.description", "'storefront: nginx # pods'");
        assertThat(f.document().text()).contains("description: \"storefront: nginx # pods\"");
        PolicyDocument.Edited g = set(POLICY, "services.web.description", "'null'");
        assertThat(g.document().text()).contains("description: \"null\"");
    }

    @Test
    void set_segmentWithDots_inBrackets() throws Exception {
        String text = POLICY.replace("name: web\n", "name: web.v2\n");
        PolicyDocument.Edited e = set(text, "rules[web.v2].action", "reject");
        assertThat(e.document().text()).contains("  - name: web.v2\n    destination: [service:web]\n"
                + "    action: reject\n");
    }

    @Test
    void set_intoAListOfValues_refusedWithHowTo() {
        assertThatThrownBy(() -> set(POLICY, "services.web.endpoints[10.244.1.5:8443]", "10.244.1.6:8443"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("services.web.endpoints is a list of values; set the whole list, like: "
                        + "set services.web.endpoints [a, b]");
    }

    @Test
    void set_throughAScalar_refused() {
        assertThatThrownBy(() -> set(POLICY, "rules.web.action.kind", "x"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rules.web.action.kind: rules.web.action is a single value ('accept'), so it has no "
                        + "'kind'")
                .satisfies(e -> assertThat(((ConfigException) e).kind()).isEqualTo(ConfigException.Kind.BAD_PATH));
    }

    @Test
    void set_ruleToAScalar_refused() {
        assertThatThrownBy(() -> set(POLICY, "rules.web", "drop"))
                .hasMessageContaining("rules.web is an entry of a list of named entries: set it to a mapping");
        assertThatThrownBy(() -> set(POLICY, "rules.web", "{name: other, action: drop}"))
                .hasMessageContaining("the value's name is not 'web'");
    }

    @Test
    void value_blockMappingByAccident_refusedWithHint() {
        assertThatThrownBy(() -> PolicyDocument.value("note: important"))
                .hasMessageContaining("reads as a YAML block mapping")
                .hasMessageContaining("quote text that contains ': '");
        assertThatThrownBy(() -> PolicyDocument.value("  ")).hasMessageContaining("a value is needed");
        assertThatThrownBy(() -> PolicyDocument.value("&a [1]")).hasMessageContaining("anchors are not allowed");
        assertThatThrownBy(() -> PolicyDocument.value("[1, 2")).hasMessageStartingWith("value:1:");
    }

    @Test
    void delete_blockRule_removesItsLinesAndItsCommentKeepsTheOthers() throws Exception {
        PolicyDocument.Edited e = delete(POLICY, "rules.web");
        assertThat(e.layoutKept()).isTrue();
        assertThat(e.document().text()).isEqualTo(POLICY.replace("""
                  # the storefront
                  - name: web
                    destination: [service:web]
                    action: accept
                """, ""));
        assertThat(e.description()).isEqualTo("deleted rules.web");
    }

    @Test
    void delete_firstRule_keepsTheCommentAboveTheList() throws Exception {
        PolicyDocument.Edited e = delete(POLICY, "rules.drop-blocklist");
        assertThat(e.document().text()).contains("rules:\n  # keep the blocklist first\n  # the storefront\n"
                + "  - name: web\n");
    }

    @Test
    void delete_lastFlowRule_removesItsLine() throws Exception {
        PolicyDocument.Edited e = delete(POLICY, "rules.office-ssh");
        assertThat(e.document().text()).contains("    action: accept\ndefault: drop\n");
    }

    @Test
    void delete_keyOfFlowMapping_removesItWithItsComma() throws Exception {
        PolicyDocument.Edited e = delete(POLICY, "services.web.healthCheck.interval");
        assertThat(e.document().text()).contains("healthCheck: {timeout: 1s}");
        PolicyDocument.Edited f = delete(POLICY, "services.web.healthCheck.timeout");
        assertThat(f.document().text()).contains("healthCheck: {interval: 2s}");
        PolicyDocument.Edited g = f.document().delete(PolicyPath.parse("services.web.healthCheck.interval"));
        assertThat(g.document().text()).contains("healthCheck: {}");
    }

    @Test
    void delete_valueOfAList_byValue() throws Exception {
        PolicyDocument.Edited e = delete(POLICY, "services.web.endpoints[10.244.1.5:8443]");
        assertThat(e.document().text()).contains("endpoints: [10.244.2.7:8443]");
        PolicyDocument.Edited f = e.document().delete(PolicyPath.parse("services.web.endpoints[10.244.2.7:8443]"));
        assertThat(f.document().text()).contains("endpoints: []");
    }

    @Test
    void delete_blockMappingKey_removesItsLines() throws Exception {
        PolicyDocument.Edited e = delete(POLICY, "services.web.healthCheck");
        assertThat(e.document().text()).contains("    endpoints: [10.244.1.5:8443, 10.244.2.7:8443]\nrules:");
        PolicyDocument.Edited f = delete(POLICY, "sets");
        assertThat(f.document().text()).doesNotContain("office:")
                .contains("    - {name: worker2, address: 192.168.56.12, podCIDR: 10.244.2.0/24}\nservices:");
    }

    @Test
    void delete_firstKeyOfABlockRule_nextKeyMovesOntoTheDashLine() throws Exception {
        PolicyDocument.Edited e = delete(POLICY, "rules.web.destination");
        assertThat(e.document().text()).contains("  - name: web\n    action: accept\n");
        String text = "rules:\n  - source: [10.0.0.1]\n    name: a\n    action: drop\n";
        PolicyDocument.Edited f = new PolicyDocument(text).delete(PolicyPath.parse("rules.a.source"));
        assertThat(f.document().text()).isEqualTo("rules:\n  - name: a\n    action: drop\n");
    }

    @Test
    void delete_onlyEntry_leavesAnEmptyCollection() throws Exception {
        String text = "version: 1\nrules:\n  - name: a\n    action: drop\ndefault: drop\n";
        PolicyDocument.Edited e = new PolicyDocument(text).delete(PolicyPath.parse("rules.a"));
        assertThat(e.document().text()).isEqualTo("version: 1\nrules: []\ndefault: drop\n");
    }

    @Test
    void delete_missing_saysWhatIsThere() {
        assertThatThrownBy(() -> delete(POLICY, "rules.nope"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("nothing at rules.nope: no 'nope' (rules has drop-blocklist, web, office-ssh)");
        assertThatThrownBy(() -> delete(POLICY, "servces.web"))
                .hasMessageContaining("no 'servces' (the policy has version, cluster, sets, services, rules, default)");
    }

    @Test
    void edit_textNotEditable_refusedWithItsPlace() {
        assertThatThrownBy(() -> set("rules: [a\n", "default", "drop"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("candidate:2:1: malformed YAML")
                .satisfies(e -> assertThat(((ConfigException) e).kind()).isEqualTo(ConfigException.Kind.UNEDITABLE));
        assertThatThrownBy(() -> set("- a\n", "default", "drop")).hasMessageContaining("top level is not a mapping");
        assertThatThrownBy(() -> set("a: 1\na: 2\n", "default", "drop"))
                .hasMessage("candidate:2:1: duplicate key 'a' (first at candidate:1:1)");
    }

    @Test
    void edit_unusualLayout_fallsBackToCanonicalTextWithTheSameContent() throws Exception {
        // a complex key ("? ") is a layout the text edit does not know
        String text = "? version\n: 1\ncluster: {name: t}\n";
        PolicyDocument.Edited e = set(text, "version", "2");
        assertThat(e.layoutKept()).isFalse();
        assertThat(e.document().text()).isEqualTo("version: 2\n\ncluster:\n  name: t\n");
    }

    @Test
    void edit_exampleFile_everyRuleDeletedAndReset_staysValidWithLayoutKept() throws Exception {
        String text = Files.readString(Path.of("../configs/examples/prod-east.yaml"));
        PolicyDocument doc = new PolicyDocument(text);
        for (String rule : new String[] {"web-from-anywhere", "ping-edge", "reject-other-metrics"}) {
            PolicyDocument.Edited e = doc.set(PolicyPath.parse("rules." + rule + ".log"), PolicyDocument.value("true"));
            assertThat(e.layoutKept()).isTrue();
            assertValid(e.document().text());
            PolicyDocument.Edited d = doc.delete(PolicyPath.parse("rules." + rule));
            assertThat(d.layoutKept()).isTrue();
            assertValid(d.document().text());
            assertThat(d.document().text()).contains("# Portcullis policy for the prod-east cluster edge.");
        }
    }

    static String read(Path p) throws IOException {
        return Files.readString(p);
    }
}
