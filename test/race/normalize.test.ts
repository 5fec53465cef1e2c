import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { normalizeFrame } from '../../src/race/index.js';
import type { Dialect, EngineOptions } from '../../src/race/index.js';

const go = (fn: string, file = '/src/x.go', options: EngineOptions = {}) =>
  normalizeFrame({ function: fn, file, line: 12 }, 'go', options);
const tsan = (fn: string, file = 'src/x.cc') => normalizeFrame({ function: fn, file, line: 3 }, 'tsan');

describe('Go frame identity', () => {
  it.each([
    ['module move under pkg/', 'github.com/pingcap/tidb/executor.ResetContextOfStmt', 'github.com/pingcap/tidb/pkg/executor.ResetContextOfStmt'],
    ['closure renumbering', 'example.com/shop/cart.(*Cart).AddAsync.func1', 'example.com/shop/pkg/cart.(*Cart).AddAsync.func2'],
    ['nested closure numbering', 'main.(*up).Dial.func2.1', 'main.(*up).Dial.func3'],
    ['Go 1.22 nested closure name', 'main.foo.func1.1', 'main.foo.func1.func2'],
    ['Go 1.24 duplicated segments', 'main.foo.func1.1', 'main.foo.foo.func1.func2'],
    ['Go 1.17 go wrapper vs Go 1.18 closure', 'github.com/pingcap/tidb/store/copr.(*copIterator).open·dwrap·8', 'github.com/pingcap/tidb/store/copr.(*copIterator).open.func1'],
    ['Go 1.22 go wrapper', 'x.org/m/p.(*Manager).Loop.gowrap2', 'x.org/m/p.(*Manager).Loop.func4'],
    ['defer wrapper', 'x.org/m/p.F.deferwrap1', 'x.org/m/p.F.func3'],
    ['range-over-func body', 'x.org/m/p.F-range1', 'x.org/m/p.F-range3'],
    ['pre-1.5 closure', 'github.com/jonstout/ogo/openflow/ofp10.func·001', 'github.com/jonstout/ogo/openflow/ofp10.func·017'],
    ['package initialiser closure', 'github.com/pingcap/tidb/pkg/sessionctx/variable.glob..func228', 'github.com/pingcap/tidb/sessionctx/variable.glob..func252'],
    ['method value wrapper', 'x.org/m/p.(*Manager).Flush-fm', 'x.org/m/p.(*Manager).Flush'],
    ['generic shapes with ]', 'kitty/tools/utils.(*LRUCache[go.shape.string,go.shape.[]string]).Set', 'kitty/tools/utils.(*LRUCache[...]).Set'],
    ['generic shapes with braces', 'os.init.OnceValue[go.shape.interface { Error() string }].func3', 'os.init.OnceValue[int].func1'],
    ['escaped dot', 'gopkg.in/check%2ev1.(*suiteRunner).run', 'gopkg.in/check.v1.(*suiteRunner).run'],
    ['GOPATH vendoring', 'k8s.io/kubernetes/vendor/k8s.io/klog/v2.(*loggingT).output', 'k8s.io/klog/v2.(*loggingT).output'],
    ['bazel test package', 'executor/fktest/fktest_test_test.TestForeignKey', 'github.com/pingcap/tidb/executor/fktest_test.TestForeignKey'],
    ['bazel go_default_test', 'k8s.io/test-infra/kubetest/go_default_test.finishRunning', 'k8s.io/test-infra/kubetest.finishRunning'],
    ['trailing () as printed', 'example.com/shop/cart.(*Cart).Add()', 'example.com/shop/cart.(*Cart).Add'],
  ])('%s: %s = %s', (_why, a, b) => {
    expect(go(a).key).toBe(go(b).key);
  });

  it.each([
    ['different methods', 'example.com/shop/cart.(*Cart).Add', 'example.com/shop/cart.(*Cart).Total'],
    ['different receivers', 'example.com/kvdb/executor.(*Executor).Close', 'example.com/kvdb/copr.(*Iterator).Close'],
    ['a closure is not its enclosing function', 'example.com/kvdb/executor.TestBatchKill.func1', 'example.com/kvdb/executor.TestBatchKill'],
    ['different packages', 'github.com/pingcap/tidb/executor.Next', 'github.com/pingcap/tidb/distsql.Next'],
  ])('%s stay apart', (_why, a, b) => {
    expect(go(a).key).not.toBe(go(b).key);
  });

  it('gives repo-relative packages and short display names', () => {
    expect(go('github.com/pingcap/tidb/util/memory.(*Tracker).Consume')).toMatchObject({
      key: 'util/memory.(*Tracker).Consume',
      package: 'util/memory',
      short: '(*Tracker).Consume',
      significant: true,
    });
    expect(go('github.com/pingcap/tidb/pkg/distsql.Select')).toMatchObject({ package: 'distsql', short: 'distsql.Select' });
    expect(go('github.com/tikv/client-go/v2/tikv.(*KVStore).Begin').package).toBe('tikv');
    expect(go('go.etcd.io/etcd/server/v3/mvcc.(*store).Put').package).toBe('server/mvcc');
    expect(go('pkg/ddl/tests/tiflash/tiflash_test.TestTiFlashBatchKill.func1')).toMatchObject({
      key: 'ddl/tests/tiflash.TestTiFlashBatchKill.func*',
      package: 'ddl/tests/tiflash',
    });
    expect(go('github.com/pingcap/tidb/sessionctx/stmtctx_test.TestWeakConsistencyRead').package).toBe('sessionctx/stmtctx');
  });

  it('keeps the printed function, file and line for display', () => {
    expect(go('example.com/shop/cart.(*Cart).AddAsync.func1', '/home/ci/cart.go')).toMatchObject({
      function: 'example.com/shop/cart.(*Cart).AddAsync.func1',
      file: '/home/ci/cart.go',
      line: 12,
    });
  });

  it('strips configured module prefixes and applies aliases', () => {
    const options: EngineOptions = {
      modulePrefixes: ['corp.internal/platform/db/'],
      aliases: { 'github.com/pingcap/tidb/store/tikv': 'github.com/tikv/client-go/v2/tikv' },
    };
    expect(go('corp.internal/platform/db/executor.Run', '', options).key).toBe('executor.Run');
    expect(go('github.com/pingcap/tidb/store/tikv.(*KVStore).Begin', '', options).key).toBe(
      go('github.com/tikv/client-go/v2/tikv.(*KVStore).Begin', '', options).key,
    );
    expect(go('github.com/pingcap/tidb/store/tikv/oracle.Now', '', options).package).toBe('tikv/oracle');
  });
});

describe('Go frames skipped for the signature', () => {
  it.each([
    ['runtime.racewrite', '<autogenerated>', 'compiler-generated wrapper'],
    ['runtime.raceread', '/usr/local/go/src/runtime/race_amd64.s', 'race instrumentation'],
    ['runtime.mapassign_faststr', '/usr/local/go/src/runtime/map_faststr.go', 'runtime data operation'],
    ['runtime.slicecopy', '/usr/local/go/src/runtime/slice.go', 'runtime data operation'],
    ['internal/runtime/maps.(*Map).PutSlot', '/usr/local/go/src/internal/runtime/maps/map.go', 'runtime data operation'],
    ['sync/atomic.CompareAndSwapInt64', '/usr/local/go/src/runtime/race_amd64.s', 'race instrumentation'],
    ['sync/atomic.CompareAndSwapInt64', '<autogenerated>', 'compiler-generated wrapper'],
    ['internal/race.Read', '/usr/local/go/src/internal/race/race.go', 'race instrumentation'],
    ['sync.raceRead', '/usr/local/go/src/sync/race.go', 'race instrumentation'],
    ['testing.tRunner', '/usr/local/go/src/testing/testing.go', 'test harness'],
    ['testing.(*T).Run·dwrap·21', '/usr/local/go/src/testing/testing.go', 'test harness'],
    ['testing.(*T).Run.gowrap1', '/usr/local/go/src/testing/testing.go', 'test harness'],
    ['runtime.goexit', '/usr/local/go/src/runtime/asm_amd64.s', 'Go runtime'],
    ['main.main', '_testmain.go', 'test harness'],
    ['github.com/pingcap/tidb/sessionctx/stmtctx.TestMain', '/go/tidb/main_test.go', 'test harness'],
    ['go.uber.org/goleak.VerifyTestMain', '/x/testmain.go', 'test framework'],
    ['github.com/stretchr/testify/suite.Run.func1', '/x/suite.go', 'test framework'],
    ['github.com/stretchr/testify/require.NoError', '/x/require.go', 'test framework'],
    ['gopkg.in/check%2ev1.(*suiteRunner).forkCall.func1', '/x/check.go', 'test framework'],
    ['github.com/onsi/ginkgo/v2/internal.(*Suite).runNode', '/x/suite.go', 'test framework'],
    ['reflect.Value.call', '/usr/local/go/src/reflect/value.go', 'reflection call thunk'],
    ['runtime.call32', '/usr/local/go/src/runtime/asm_amd64.s', 'reflection call thunk'],
    ['??', '-', 'unknown frame'],
  ])('%s at %s: %s', (fn, file, reason) => {
    expect(go(fn, file)).toMatchObject({ significant: false, skipReason: reason });
  });

  it('keeps user code, closures in main and sync primitives significant', () => {
    for (const fn of ['main.main.func1', 'main.worker', 'sync.(*Once).Do', 'example.com/kvdb/executor.TestBatchKill']) {
      expect(go(fn)).toMatchObject({ significant: true });
      expect(go(fn).skipReason).toBeUndefined();
    }
  });

  it('skips configured patterns and says which one', () => {
    const options = { ignoreFrames: ['testkit.', 'github.com/pingcap/tidb/pkg/util.*Wrapper'] };
    expect(go('github.com/pingcap/tidb/testkit.(*TestKit).MustExec', '', options)).toMatchObject({
      significant: false,
      skipReason: 'config: testkit.',
    });
    expect(go('github.com/pingcap/tidb/pkg/util.(*WaitGroupWrapper).Run.func1', '', options).skipReason).toBe(
      'config: github.com/pingcap/tidb/pkg/util.*Wrapper',
    );
    expect(go('github.com/pingcap/tidb/mytestkit.Run', '', options).significant).toBe(true);
    expect(go('github.com/pingcap/tidb/session.(*session).ExecuteStmt', '', options).significant).toBe(true);
  });
});

describe('ignoreFrames patterns', () => {
  it.each([
    ['testkit.', 'github.com/pingcap/tidb/pkg/testkit.(*TestKit).Exec', true],
    ['testkit.', 'testkit.(*TestKit).Exec', true],
    ['testkit.', 'github.com/pingcap/tidb/pkg/mytestkit.Run', false],
    ['github.com/pingcap/tidb/*/testkit.', 'github.com/pingcap/tidb/pkg/testkit.Run', true],
    ['*.(*TestKit).Must*', 'github.com/pingcap/tidb/testkit.(*TestKit).MustQuery', true],
    ['*.(*TestKit).Must*', 'github.com/pingcap/tidb/testkit.(*TestKit).Exec', false],
    ['a*a*a*a*a*a*b', `example.com/m/p.${'a'.repeat(1000)}`, false],
  ])('%s on %s: %s', (pattern, fn, skipped) => {
    expect(go(fn, '', { ignoreFrames: [pattern] }).significant).toBe(!skipped);
  });
});

describe('ThreadSanitizer frame identity', () => {
  it('drops C++ parameter lists, qualifiers and clone suffixes', () => {
    expect(tsan('reader_data_t::command_line_changed(editable_line_t const*)')).toMatchObject({
      key: 'reader_data_t::command_line_changed',
      package: 'reader_data_t',
      short: 'reader_data_t::command_line_changed',
      significant: true,
    });
    expect(tsan('SetupPopulation(char*, char*) [clone ._omp_fn.0]').key).toBe('SetupPopulation');
    expect(tsan('main::{lambda()#1}::operator()() const').key).toBe('main::{lambda()#1}::operator()');
  });

  it('drops the return type that demangled templates print first', () => {
    expect(tsan('void std::thread::_Invoker<std::tuple<main::$_0>>::_M_invoke<0ul>(std::_Index_tuple<0ul>)').key).toBe(
      'std::thread::_Invoker<std::tuple<main::$_0>>::_M_invoke<0ul>',
    );
    expect(tsan('std::__detail::_MakeUniq<int>::__single_object std::make_unique<int, int>(int&&)').key).toBe('std::make_unique<int, int>');
    expect(tsan('operator new(unsigned long)').key).toBe('operator new');
    expect(tsan('Buffer::operator bool() const').key).toBe('Buffer::operator bool');
    expect(tsan('(anonymous namespace)::Worker::run()').key).toBe('(anonymous namespace)::Worker::run');
  });

  it('decodes Rust legacy mangling and drops the hash', () => {
    expect(
      tsan('_$LT$alloc..boxed..Box$LT$F$C$A$GT$$u20$as$u20$core..ops..function..FnOnce$LT$Args$GT$$GT$::call_once::hea1090dbdcecbf5a').key,
    ).toBe('<alloc::boxed::Box<F,A> as core::ops::function::FnOnce<Args>>::call_once');
    expect(tsan('race::main::h0123456789abcdef').key).toBe(tsan('race::main::hfedcba9876543210').key);
    expect(tsan('race::main::_$u7b$$u7b$closure$u7d$$u7d$::h0123456789abcdef').key).toBe('race::main::{{closure}}');
  });

  it('takes C packages from relative source directories', () => {
    expect(tsan('ReadSecMSG', 'os_crypto/shared/msgs.c').package).toBe('os_crypto/shared');
    expect(tsan('worker', '/lab/race.c').package).toBe('');
  });

  it.each([
    ['__tsan_atomic64_store', '/llvm/compiler-rt/lib/tsan/rtl/tsan_interface_atomic.cpp', 'sanitizer runtime'],
    ['__interceptor_free', '??:?', 'sanitizer runtime'],
    ['calloc', '../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp', 'sanitizer runtime'],
    ['memset', '/llvm/compiler-rt/lib/sanitizer_common/sanitizer_common_interceptors.inc', 'sanitizer runtime'],
    ['<null>', '<null>', 'unknown frame'],
    ['start_thread', '', 'thread start'],
    ['clone', '', 'thread start'],
    ['std::thread::_State_impl<std::thread::_Invoker<std::tuple<void (*)()> > >::_M_run()', '', 'thread start'],
    ['void std::__invoke_impl<void, void (*)()>(std::__invoke_other, void (*&&)())', '', 'thread start'],
    ['std::rt::lang_start::{{closure}}', '', 'Rust runtime'],
    ['core::ops::function::FnOnce::call_once', '', 'Rust runtime'],
    ['std::sys::backtrace::__rust_begin_short_backtrace', '', 'Rust runtime'],
    ['testing::internal::HandleExceptionsInMethodIfSupported<testing::Test, void>(testing::Test*, void (testing::Test::*)(), char const*)', '', 'test harness'],
    ['Catch::RunContext::runTest', '', 'test harness'],
    ['free', '', 'allocator'],
    ['operator delete(void*)', '', 'allocator'],
    ['std::__1::shared_ptr<Poco::Event>::get() const', '', 'standard library'],
    ['<alloc::sync::Arc<T> as core::ops::drop::Drop>::drop', '', 'standard library'],
  ])('skips %s', (fn, file, reason) => {
    expect(tsan(fn, file)).toMatchObject({ significant: false, skipReason: reason });
  });
});

describe('untrusted input', () => {
  it('never throws and stays bounded on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 50 }), fc.constantFrom<Dialect>('go', 'tsan'), (fn, file, dialect) => {
        const frame = normalizeFrame({ function: fn, file, line: 0 }, dialect, { ignoreFrames: ['*', '('] });
        expect(typeof frame.key).toBe('string');
        expect(frame.key.length).toBeLessThanOrEqual(1100);
      }),
    );
  });

  it('cuts very long symbols instead of working on all of them', () => {
    const frame = go(`example.com/m/p.${'['.repeat(50_000)}F`);
    expect(frame.key.length).toBeLessThan(1100);
    expect(go(`example.com/m/p.F${'.func1'.repeat(20_000)}`).key).toBe('p.F.func*');
  });
});

describe('the module a frame was found under', () => {
  const go = (fn: string) => normalizeFrame({ function: fn, file: '/src/x.go', line: 1 }, 'go');
  it('names the module root without its major version, and leaves it out of the key', () => {
    const frame = go('github.com/tikv/client-go/v2/internal/locate.(*RegionCache).insertRegion');
    expect(frame).toMatchObject({ module: 'github.com/tikv/client-go', package: 'internal/locate', key: 'internal/locate.(*RegionCache).insertRegion' });
    expect(go('go.etcd.io/etcd/server/v3/mvcc.(*store).Write').module).toBe('go.etcd.io/etcd');
  });
  it('is empty for paths that name no module', () => {
    expect(go('executor/tiflashtest/tiflashtest_test.TestBindingFromHistory').module).toBe('');
    expect(go('sync/atomic.AddInt64').module).toBe('');
    expect(normalizeFrame({ function: 'worker', file: 'src/race.c', line: 3 }, 'tsan').module).toBe('');
  });
});
