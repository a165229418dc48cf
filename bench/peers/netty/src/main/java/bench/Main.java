package bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2 hello world: native epoll, one event loop (accept and I/O on the same thread),
 * writes in channelRead and one flush per read batch (so pipelined requests share a write).
 * The Date header is formatted once a second on the event loop.
 */
public final class Main {

    private static final byte[] HELLO = "Hello, World!".getBytes(CharsetUtil.US_ASCII);
    private static final String MESSAGE = "Hello, World!";
    private static final AsciiString SERVER = AsciiString.cached("netty");
    private static final AsciiString TEXT = AsciiString.cached("text/plain");
    private static final AsciiString JSON = AsciiString.cached("application/json");

    static volatile AsciiString date = now();

    static AsciiString now() {
        return new AsciiString(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("native epoll unavailable", Epoll.unavailabilityCause());
        }
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            loop.scheduleAtFixedRate(() -> date = now(), 1, 1, TimeUnit.SECONDS);
            var channel = new ServerBootstrap()
                    .group(loop, loop)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new Hello());
                        }
                    })
                    .bind("127.0.0.1", port).sync().channel();
            System.out.println("netty " + io.netty.util.Version.identify().get("netty-codec-http").artifactVersion()
                    + " listening on 127.0.0.1:" + port + " (epoll, 1 event loop)");
            channel.closeFuture().sync();
        } finally {
            loop.shutdownGracefully();
        }
    }

    static final class Hello extends SimpleChannelInboundHandler<Object> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HttpRequest request)) {
                return; // the (empty) content of a GET
            }
            ByteBuf body;
            AsciiString type;
            HttpResponseStatus status = HttpResponseStatus.OK;
            String uri = request.uri();
            if (uri.equals("/")) {
                body = Unpooled.wrappedBuffer(HELLO);
                type = TEXT;
            } else if (uri.equals("/json")) {
                body = Unpooled.wrappedBuffer(("{\"message\":\"" + MESSAGE + "\"}").getBytes(CharsetUtil.UTF_8));
                type = JSON;
            } else {
                body = Unpooled.wrappedBuffer("Not Found".getBytes(CharsetUtil.US_ASCII));
                type = TEXT;
                status = HttpResponseStatus.NOT_FOUND;
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body, false);
            HttpHeaders headers = response.headers();
            headers.set(HttpHeaderNames.CONTENT_TYPE, type);
            headers.set(HttpHeaderNames.SERVER, SERVER);
            headers.set(HttpHeaderNames.DATE, date);
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (HttpUtil.isKeepAlive(request)) {
                ctx.write(response, ctx.voidPromise());
            } else {
                headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
