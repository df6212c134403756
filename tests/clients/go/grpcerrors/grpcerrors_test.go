package grpcerrors_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
	"github.com/virtengine/virtengine-errors/clients/go/grpcerrors"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// A gRPC service written out by hand (no generated stubs): Fail answers a request
// "<code> <message>" with that status (code 0: the request echoed back), Flaky fails
// with Unavailable on its first call only, and Watch streams two messages and then
// ends with the status its request names.
const service = "virtengine.test.v1.Errors"

type server struct {
	flakyCalls atomic.Int32
}

// requested is the status a request asks for.
func requested(in *wrapperspb.StringValue) *status.Status {
	code, message, _ := strings.Cut(in.GetValue(), " ")
	n, _ := strconv.Atoi(code)
	return status.New(codes.Code(n), message)
}

func unary(handle func(s *server, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error)) grpc.MethodHandler {
	return func(srv any, _ context.Context, decode func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
		in := new(wrapperspb.StringValue)
		if err := decode(in); err != nil {
			return nil, err
		}
		return handle(srv.(*server), in)
	}
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: service,
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Fail", Handler: unary(func(_ *server, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
			if s := requested(in); s.Code() != codes.OK {
				return nil, s.Err()
			}
			return in, nil
		})},
		{MethodName: "Flaky", Handler: unary(func(s *server, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
			if s.flakyCalls.Add(1) == 1 {
				return nil, status.Error(codes.Unavailable, "node is syncing")
			}
			return in, nil
		})},
	},
	Streams: []grpc.StreamDesc{{
		StreamName:    "Watch",
		ServerStreams: true,
		Handler: func(_ any, stream grpc.ServerStream) error {
			in := new(wrapperspb.StringValue)
			if err := stream.RecvMsg(in); err != nil {
				return err
			}
			for i := 0; i < 2; i++ {
				if err := stream.SendMsg(wrapperspb.String("event " + strconv.Itoa(i))); err != nil {
					return err
				}
			}
			return requested(in).Err() // nil for code 0: the stream ends normally
		},
	}},
}

// dial starts the service on a loopback port and connects to it through both
// interceptors.
func dial(t *testing.T) (*grpc.ClientConn, *server) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	impl := &server{}
	grpcServer := grpc.NewServer()
	grpcServer.RegisterService(&serviceDesc, impl)
	go func() { _ = grpcServer.Serve(listener) }()
	t.Cleanup(grpcServer.Stop)
	conn, err := grpc.NewClient(listener.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(grpcerrors.UnaryClientInterceptor()),
		grpc.WithStreamInterceptor(grpcerrors.StreamClientInterceptor()),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn, impl
}

func call(t *testing.T, conn *grpc.ClientConn, method, request string) (*wrapperspb.StringValue, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reply := new(wrapperspb.StringValue)
	err := conn.Invoke(ctx, "/"+service+"/"+method, wrapperspb.String(request), reply)
	return reply, err
}

func apiError(t *testing.T, err error) *veerrors.APIError {
	t.Helper()
	var e *veerrors.APIError
	if !errors.As(err, &e) {
		t.Fatalf("want an API error, got %T %v", err, err)
	}
	return e
}

func TestARegisteredModuleErrorBecomesTheRegistrysError(t *testing.T) {
	conn, _ := dial(t)
	// errorsmod.Register without a gRPC code: the status is Unknown (2).
	_, err := call(t, conn, "Fail", "2 codespace veid code 1036: ML inference failed: model scorer-v2")
	// The registry files veid:1036 under external (it wraps the ML scorer sidecar call).
	var external *veerrors.ExternalError
	if !errors.As(err, &external) || !errors.Is(err, veerrors.ErrVeidMLInferenceFailed) {
		t.Fatalf("want an ExternalError matching veid:1036, got %T %v", err, err)
	}
	e := apiError(t, err)
	if e.Code != "veid:1036" || e.Message != "ML inference failed: model scorer-v2" || !e.Retryable ||
		e.Category != veerrors.CategoryExternal || e.Severity != veerrors.SeverityError || e.Shape != veerrors.ShapeGRPC || e.HTTPStatus != 0 {
		t.Fatalf("fields: %+v", e)
	}
	if err.Error() != "veid:1036: ML inference failed: model scorer-v2" {
		t.Fatalf("Error() = %q", err.Error())
	}
	// The call's status is still there for code that reads it.
	if status.Code(err) != codes.Unknown {
		t.Fatalf("status.Code = %v, want Unknown", status.Code(err))
	}
}

func TestAnUnknownCodeTakesItsCategoryFromTheGRPCCode(t *testing.T) {
	conn, _ := dial(t)
	cases := []struct {
		request  string
		category veerrors.Category
		retry    bool
		code     string
		message  string
	}{
		{"5 codespace deployment code 99: deployment 7 not found", veerrors.CategoryNotFound, false, "deployment:99", "deployment 7 not found"},
		{"9 order 12 is closed", veerrors.CategoryState, false, "", "order 12 is closed"},
		{"14 node is syncing", veerrors.CategoryExternal, true, "", "node is syncing"},
		{"4 fetching JWKS: timeout", veerrors.CategoryTimeout, true, "", "fetching JWKS: timeout"},
		{"8 nli:980: rate limit exceeded", veerrors.CategoryRateLimit, true, "nli:980", "rate limit exceeded"},
		{"16 rpc error: code = Unauthenticated desc = missing token", veerrors.CategoryUnauthorized, false, "", "missing token"},
		// Canceled has no category: the base error, not retryable.
		{"1 codespace foo code 7", "", false, "foo:7", "foo:7"},
	}
	for _, c := range cases {
		_, err := call(t, conn, "Fail", c.request)
		e := apiError(t, err)
		if e.Category != c.category || e.Retryable != c.retry || e.Code != c.code || e.Message != c.message {
			t.Errorf("%q: got category %q, retryable %v, code %q, message %q", c.request, e.Category, e.Retryable, e.Code, e.Message)
		}
		var notFound *veerrors.NotFoundError
		if errors.As(err, &notFound) != (c.category == veerrors.CategoryNotFound) {
			t.Errorf("%q: the type %T does not follow the category", c.request, err)
		}
	}
}

func TestASuccessfulCallIsUntouched(t *testing.T) {
	conn, _ := dial(t)
	reply, err := call(t, conn, "Fail", "0 hello")
	if err != nil || reply.GetValue() != "0 hello" {
		t.Fatalf("want the echo, got %v, %v", reply, err)
	}
}

func TestTheRetrierRetriesARetryableStatus(t *testing.T) {
	conn, impl := dial(t)
	policy := veerrors.DefaultPolicy()
	policy.BaseDelay = 5 * time.Millisecond
	retrier := veerrors.NewRetrier(policy)
	var reply *wrapperspb.StringValue
	err := retrier.Do(context.Background(), veerrors.Call{Method: "GET"}, func(_ context.Context, _ int) error {
		var err error
		reply, err = call(t, conn, "Flaky", "x")
		return err
	})
	if err != nil || reply.GetValue() != "x" || impl.flakyCalls.Load() != 2 {
		t.Fatalf("want success on the second call, got %v after %d calls", err, impl.flakyCalls.Load())
	}
}

func TestAStreamEndingInAStatusGivesTheTypedError(t *testing.T) {
	conn, _ := dial(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	watch := func(request string) ([]string, error) {
		stream, err := conn.NewStream(ctx, &serviceDesc.Streams[0], "/"+service+"/Watch")
		if err != nil {
			return nil, err
		}
		if err := stream.SendMsg(wrapperspb.String(request)); err != nil {
			return nil, err
		}
		if err := stream.CloseSend(); err != nil {
			return nil, err
		}
		var events []string
		for {
			event := new(wrapperspb.StringValue)
			if err := stream.RecvMsg(event); err != nil {
				return events, err
			}
			events = append(events, event.GetValue())
		}
	}

	events, err := watch("8 codespace sdk code 20: mempool is full")
	var limited *veerrors.RateLimitError
	if len(events) != 2 || !errors.As(err, &limited) || limited.Code != "sdk:20" || !limited.Retryable {
		t.Fatalf("want two events then a retryable RateLimitError sdk:20, got %v, %T %v", events, err, err)
	}
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("status.Code = %v", status.Code(err))
	}

	events, err = watch("0 done")
	if len(events) != 2 || err != io.EOF {
		t.Fatalf("a stream that ends normally must end in io.EOF, got %v, %v", events, err)
	}
}

func TestFromStatus(t *testing.T) {
	if err := grpcerrors.FromStatus(nil); err != nil {
		t.Fatalf("FromStatus(nil) = %v", err)
	}
	if err := grpcerrors.FromStatus(status.New(codes.OK, "")); err != nil {
		t.Fatalf("FromStatus(OK) = %v", err)
	}
	s := status.New(codes.NotFound, "codespace veid code 1019: scope not found")
	err := grpcerrors.FromStatus(s)
	var converted *grpcerrors.Error
	var notFound *veerrors.NotFoundError
	if !errors.As(err, &converted) || converted.Status != s || !errors.As(err, &notFound) ||
		notFound.Code != "veid:1019" || notFound.Message != "scope not found" {
		t.Fatalf("want an *Error holding a NotFoundError veid:1019, got %T %v", err, err)
	}
}
