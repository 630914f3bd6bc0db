package io.cdccamel.connect;

import io.cdccamel.base.Published;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConfigValueInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.rest.entities.ErrorMessage;
import org.apache.kafka.connect.runtime.rest.entities.PluginInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One answer of Kafka Connect's REST API: its status code, and its body read as Connect's own
 * REST entities (connect-runtime), the types Connect writes it from.
 */
@Published
public record ConnectAnswer(int status, String body) {

    /** Connect's entities are records with {@code @JsonCreator}; a newer worker may add fields. */
    static final ObjectMapper MAPPER = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final JavaType PLUGINS = MAPPER.constructType(new TypeReference<List<PluginInfo>>() { });

    /** For {@code choice().when(...)} and {@code filter(...)} on the answer in the body. */
    public static Predicate hasStatus(int code) {
        return new Predicate() {
            @Override
            public boolean matches(Exchange exchange) {
                return exchange.getMessage().getBody(ConnectAnswer.class).status() == code;
            }

            @Override
            public String toString() {
                return "status == " + code; // for the route's description in logs and the dev console
            }
        };
    }

    public boolean is(int... codes) {
        for (int code : codes) {
            if (status == code) {
                return true;
            }
        }
        return false;
    }

    /** {@code GET /connector-plugins}; empty when the body is not that list. */
    public List<PluginInfo> plugins() {
        return this.<List<PluginInfo>>read(PLUGINS).orElse(List.of());
    }

    /** {@code GET /connectors/<name>}. */
    public Optional<ConnectorInfo> connectorInfo() {
        return read(MAPPER.constructType(ConnectorInfo.class));
    }

    /** {@code GET /connectors/<name>/status}. */
    public Optional<ConnectorStateInfo> stateInfo() {
        return read(MAPPER.constructType(ConnectorStateInfo.class));
    }

    /**
     * {@code PUT /connector-plugins/<class>/config/validate}: each error as {@code key: error}.
     * An answer Connect counts errors in without naming them, or one that is not ConfigInfos at
     * all, gives one line quoting the body, so that it is never taken for a clean result.
     */
    public List<String> validationErrors() {
        Optional<ConfigInfos> infos = read(MAPPER.constructType(ConfigInfos.class));
        if (infos.isEmpty()) {
            return List.of("validation answer is not JSON: " + body);
        }
        List<String> errors = new ArrayList<>();
        for (ConfigInfo config : infos.get().configs() == null ? List.<ConfigInfo>of() : infos.get().configs()) {
            ConfigValueInfo value = config.configValue();
            if (value != null && value.errors() != null) {
                value.errors().forEach(error -> errors.add(value.name() + ": " + error));
            }
        }
        if (errors.isEmpty() && infos.get().errorCount() > 0) {
            errors.add(infos.get().errorCount() + " error(s) without details: " + body);
        }
        return errors;
    }

    /** Connect's {@link ErrorMessage} text, else the body as it came (cut at 2,000 characters). */
    public String errorMessage() {
        if (body == null || body.isBlank()) {
            return "no body";
        }
        Optional<ErrorMessage> error = read(MAPPER.constructType(ErrorMessage.class));
        if (error.isPresent() && error.get().message() != null) {
            return error.get().message();
        }
        return body.length() > 2000 ? body.substring(0, 2000) + "..." : body;
    }

    private <T> Optional<T> read(JavaType type) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(MAPPER.readValue(body, type));
        } catch (IOException e) {
            return Optional.empty(); // not Connect's entity: callers quote the body instead
        }
    }
}
