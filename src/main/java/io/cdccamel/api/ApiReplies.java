package io.cdccamel.api;

import io.cdccamel.base.Published;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * How the API's routes answer. A success (below 300) leaves its body an object, which the REST
 * DSL's JSON binding ({@link ApiRestRoutes}) writes; an error's body is written here, because the
 * binding leaves answers of 300 and above as they are ({@code skipBindingOnErrorCode}).
 */
@Published
public final class ApiReplies {

    public static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ApiReplies() {
    }

    /** {@code body} as the answer, with only the status and the content type as headers. */
    public static void reply(Exchange exchange, int status, Object body) {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, JSON);
        out.setBody(status < 300 ? body : written(body));
    }

    /** Pretty JSON with a final newline, as the binding's output (prettyPrint) reads on a terminal. */
    public static String written(Object body) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
