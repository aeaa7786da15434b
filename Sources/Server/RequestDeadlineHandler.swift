// Deadlines for a request's head and body, enforced per connection in the HTTP/1 pipeline
// (after Hummingbird's HTTP decoding, before its request handling). Hummingbird's own idle timeout
// counts from the last request *part* it read, so a client that trickles a body in small chunks
// resets it with every chunk and can hold a connection (and a place among the requests in flight)
// for ever; one that trickles a head holds the connection for the whole idle timeout. Here:
//   - head: once a byte of a new request has arrived, its head must be complete within
//     `headerTimeout`;
//   - body: once the head has arrived, the body's end must arrive within `bodyTimeout`.
// A missed deadline is answered 408 when no part of an answer to that request was written yet
// (else nothing more is written), counted (`onTimeout`), and the connection is closed; a body
// that never ended after its request was answered in full (an early 413) only closes it. A
// connection with no request under way is left to the idle timeout (HTTP1Channel's).
//
// "A byte arrived" is a read that completed (channelReadComplete) while no request was being
// read and no answer was owed. Bytes of a next request that arrive while an answer is still owed
// (pipelining) start no deadline; the idle timeout still bounds such a connection.

import Hummingbird  // HTTPResponse (HTTPTypes, re-exported)
import NIOCore
import NIOHTTPTypes

/// What a request's handler reads from its body when the body missed its deadline (so the route
/// counts and logs the request as the 408 it was answered with).
struct RequestDeadlineMissed: Error {
    let phase: RequestDeadlineHandler.Phase
    let seconds: Double
}

final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Which deadline a request missed.
    enum Phase: String, Sendable {
        case head, body
    }

    /// Where reading the connection's current request stands.
    private enum Reading {
        /// No byte of a new request seen (or only while an answer was owed).
        case betweenRequests
        /// Bytes of a head have arrived; the head is not complete.
        case head
        /// The head of a request to `path` has arrived; the body's end has not.
        case body(path: String)
        /// A deadline passed; the connection is closing and nothing more goes in or out.
        case timedOut
    }

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    /// Told of each missed deadline, with the request's path when its head had arrived.
    private let onTimeout: @Sendable (Phase, String?) -> Void
    private var reading = Reading.betweenRequests
    private var deadline: Scheduled<Void>?
    /// Requests whose answer has not been written to its end.
    private var owed = 0
    /// An answer's head was written and its end not yet.
    private var answering = false

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount, onTimeout: @escaping @Sendable (Phase, String?) -> Void) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.onTimeout = onTimeout
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .timedOut = reading { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            owed += 1
            reading = .body(path: head.path ?? "")
            schedule(.body, after: bodyTimeout, context: context)
        case .body:
            break
        case .end:
            cancelDeadline()
            reading = .betweenRequests
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .betweenRequests = reading, owed == 0 {
            // The read brought bytes of a new request but not its whole head.
            reading = .head
            schedule(.head, after: headerTimeout, context: context)
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeadline()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelDeadline()
    }

    // MARK: - Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .timedOut = reading {
            // This connection was answered 408 (or its answer cut short) and is closing.
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head:
            answering = true
        case .body:
            break
        case .end:
            answering = false
            owed = max(0, owed - 1)
        }
        context.write(data, promise: promise)
    }

    // MARK: - Deadlines

    private func schedule(_ phase: Phase, after delay: TimeAmount, context: ChannelHandlerContext) {
        cancelDeadline()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            self.deadline = nil
            self.expire(phase, context: context)
        }
    }

    private func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }

    private func expire(_ phase: Phase, context: ChannelHandlerContext) {
        let path: String?
        switch reading {
        case .head: path = nil
        case .body(let p): path = p
        case .betweenRequests, .timedOut: return  // the deadline was met as it fired
        }
        reading = .timedOut
        if phase == .body && owed == 0 {
            // The request was answered early and in full (say a 413 before its body was read) and
            // the client never finished the body: nothing was cut short, so only close.
            context.close(promise: nil)
            return
        }
        // A late head is always of an unanswered request (its deadline starts only when no answer
        // is owed); a late body is unanswered when it is the one request owed and no answer began.
        let unanswered = phase == .head || (owed == 1 && !answering)
        let seconds = Double(phase == .head ? headerTimeout.nanoseconds : bodyTimeout.nanoseconds) / 1e9
        onTimeout(phase, path)
        // A handler waiting for the body gets this error instead of a body cut short.
        context.fireErrorCaught(RequestDeadlineMissed(phase: phase, seconds: seconds))
        if unanswered {
            let error = APIError.requestTimeout(phase: phase, seconds: seconds)
            let tei = path.map(TEIRoute.isTEI) ?? false
            let json = tei ? error.teiJSON : error.json
            let status = tei ? error.tei.status : error.status
            let head = HTTPResponse(status: .init(code: status),
                                    headerFields: [.contentType: "application/json", .contentLength: "\(json.count)",
                                                   .connection: "close"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(ByteBuffer(bytes: json))), promise: nil)
            // Close once the answer is out (a close with writes pending would drop them).
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        } else {
            context.close(promise: nil)
        }
    }
}
