package io.cdccamel.connect;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

import java.net.ConnectException;
import java.util.Map;

/**
 * Connect's REST API as a script, in place of the {@code http} component: a call that nobody
 * answers fails inside the producer, as camel-http fails it, so the route's error policy sees it.
 */
final class ScriptedHttp {

    /** One answer; a null status means nobody listens. */
    record Answer(Integer status, String body) {
    }

    @FunctionalInterface
    interface Script {
        /** @param call the method and path, {@code GET /connectors/x}, without the query */
        Answer answer(String call, String body) throws Exception;
    }

    private ScriptedHttp() {
    }

    /** Before the context starts: the endpoints are made when the first call is sent. */
    static void install(CamelContext context, Script script) {
        context.addComponent("http", new HttpComponent() { // its option configurer expects this type
            @Override
            protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
                String path = remaining.replaceFirst("^(//)?[^/]+", ""); // whichever host cdc.connect.url names
                parameters.clear(); // camel-http's options and the call's query mean nothing to the script
                return new DefaultEndpoint(uri, this) {
                    @Override
                    public Producer createProducer() {
                        return new DefaultProducer(this) {
                            @Override
                            public void process(Exchange exchange) throws Exception {
                                Message in = exchange.getMessage();
                                Answer answer = script.answer(in.getHeader(Exchange.HTTP_METHOD, String.class) + " " + path,
                                        in.getBody(String.class));
                                if (answer.status() == null) {
                                    throw new ConnectException("Connection refused");
                                }
                                in.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
                                in.setBody(answer.body());
                            }
                        };
                    }

                    @Override
                    public Consumer createConsumer(Processor processor) {
                        throw new UnsupportedOperationException();
                    }
                };
            }
        });
    }
}
