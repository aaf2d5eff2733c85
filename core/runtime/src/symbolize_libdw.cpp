// symbolize_libdw.cpp — names and source lines from DWARF, with elfutils'
// libdwfl looking at this very process (Linux).
//
// Traps:
//  - A Dwfl session is not thread-safe: one process-wide session behind a
//    mutex.
//  - Loading a module's DWARF is the expensive part, so the session is kept;
//    but it lists the modules mapped when it was made. A library loaded with
//    dlopen later is missing from it, and one closed with dlclose stays in
//    it: a lookup there would name the closed library's code, or that of the
//    next library mapped at the same address (a plugin unloaded, rebuilt and
//    loaded again). So every lookup first asks the dynamic loader what was
//    loaded and unloaded since (dl_iterate_phdr's dlpi_adds and dlpi_subs
//    counters): after a load the process's mappings are re-reported
//    (dwfl_report_begin/end keeps the modules still mapped, with their
//    DWARF); after an unload the session is made anew, since a module
//    reported again under the same name and address would keep the old
//    file's DWARF. A lookup that finds no module still re-reports once (a
//    mapping made without the loader).
//  - The session holds the modules' ELF files open; forget_symbol_cache()
//    closes them (tests that count descriptors call it).
//  - The line table names the innermost inlined code at an address (a frame
//    in walk_down parked in an inlined yield() is at switch.hpp). The scopes
//    DWARF gives for the address say which calls were inlined there; the
//    line reported for the real function is the call site of the outermost
//    inlined call, and each inlined call is listed with its own line.
//  - Under qemu-user, /proc/<pid>/maps is the guest's view, which is what we
//    want; qemu maps /proc/<own pid>/ like /proc/self/.
#include "symbolize.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <link.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace corosh::detail {
namespace {

const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = nullptr,
    .debuginfo_path = nullptr,
};

std::mutex session_mutex;
Dwfl* session = nullptr;
// The loader's counters when the session was last reported.
struct LoaderCounts {
  unsigned long long adds = 0, subs = 0;
};
LoaderCounts reported;

LoaderCounts loader_counts() {
  LoaderCounts counts;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t size, void* out) {
        if (size >= offsetof(dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs)
          *static_cast<LoaderCounts*>(out) = {info->dlpi_adds, info->dlpi_subs};
        return 1;  // the counters are the same in every entry: the first will do
      },
      &counts);
  return counts;
}

// (Re)reports this process's modules into the session, creating it if needed.
bool report_modules() {
  const LoaderCounts now = loader_counts();
  if (session != nullptr && now.subs != reported.subs) {
    dwfl_end(session);
    session = nullptr;
  }
  if (session == nullptr) session = dwfl_begin(&callbacks);
  if (session == nullptr) return false;
  reported = now;
  dwfl_report_begin(session);
  const int rc = dwfl_linux_proc_report(session, getpid());
  return dwfl_report_end(session, nullptr, nullptr) == 0 && rc == 0;
}

bool loader_changed() {
  const LoaderCounts now = loader_counts();
  return now.adds != reported.adds || now.subs != reported.subs;
}

Dwfl_Module* module_at(Dwarf_Addr address) {
  if ((session == nullptr || loader_changed()) && !report_modules()) return nullptr;
  if (Dwfl_Module* m = dwfl_addrmodule(session, address)) return m;
  if (!report_modules()) return nullptr;
  return dwfl_addrmodule(session, address);
}

const char* file_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

// A file of the compilation unit's file table by index (DW_AT_call_file).
const char* unit_file(Dwarf_Die* cu, Dwarf_Word index) {
  Dwarf_Files* files = nullptr;
  std::size_t count = 0;
  if (dwarf_getsrcfiles(cu, &files, &count) != 0 || index >= count) return nullptr;
  return dwarf_filesrc(files, index, nullptr, nullptr);
}

Dwarf_Word unsigned_attribute(Dwarf_Die* die, unsigned int name) {
  Dwarf_Attribute attribute;
  Dwarf_Word value = 0;
  if (dwarf_attr(die, name, &attribute) == nullptr || dwarf_formudata(&attribute, &value) != 0) return 0;
  return value;
}

// Follows DW_AT_abstract_origin and DW_AT_specification from `die` to the
// declaration inside its class or namespace, which is where the enclosing
// scopes can be found. False if `die` has neither.
bool declaration_of(Dwarf_Die* die, Dwarf_Die* declaration) {
  Dwarf_Attribute attribute;
  bool found = false;
  Dwarf_Die at = *die;
  for (int hops = 0; hops < 4; ++hops) {  // a short chain of origins and specifications
    Dwarf_Die next;
    if ((dwarf_attr(&at, DW_AT_specification, &attribute) == nullptr &&
         dwarf_attr(&at, DW_AT_abstract_origin, &attribute) == nullptr) ||
        dwarf_formref_die(&attribute, &next) == nullptr)
      break;
    at = next;
    found = true;
  }
  *declaration = at;
  return found;
}

// A declaration's name with its namespaces and classes in front, as the
// demangler would write it ("corosh::Generator<int>::Run<...>::operator()<...>")
// but without the parameter list, which DWARF does not spell out. A lambda's
// class has no name: "{lambda}". `depth` bounds functions nested in functions.
std::string scoped_name(Dwarf_Die* declaration, int depth = 0) {
  const char* own = dwarf_diename(declaration);
  std::string name = own ? own : "{lambda}";
  Dwarf_Die* scopes = nullptr;
  const int n = dwarf_getscopes_die(declaration, &scopes);
  for (int i = 1; i < n; ++i) {  // scopes[0] is the declaration itself
    const int tag = dwarf_tag(&scopes[i]);
    if (tag == DW_TAG_compile_unit || tag == DW_TAG_partial_unit || tag == DW_TAG_type_unit) break;
    const char* scope = dwarf_diename(&scopes[i]);
    if (tag == DW_TAG_namespace) {
      name = std::string(scope ? scope : "(anonymous namespace)") + "::" + name;
    } else if (tag == DW_TAG_class_type || tag == DW_TAG_structure_type || tag == DW_TAG_union_type) {
      name = std::string(scope ? scope : "{lambda}") + "::" + name;
    } else if (tag == DW_TAG_subprogram) {
      // A class local to a function (a lambda's): the function's own scopes
      // are those of its declaration, found through its specification.
      Dwarf_Die function;
      declaration_of(&scopes[i], &function);
      name = (depth < 4 ? scoped_name(&function, depth + 1) : std::string(scope ? scope : "?")) + "::" + name;
      break;
    }
    // lexical blocks add nothing to a name
  }
  std::free(scopes);
  return name;
}

// The C++ name of an inlined function: its linkage name demangled when there
// is one (it carries the namespaces and the parameters); otherwise its
// DW_AT_name with the enclosing namespaces and classes put in front, so a
// template such as std::apply reads "std::apply<...>" and not "apply<...>"
// (the shell tells the runtime's frames from the user's by these names).
std::string inlined_name(Dwarf_Die* die) {
  Dwarf_Attribute attribute;
  const char* linkage = nullptr;
  if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attribute) != nullptr ||
      dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attribute) != nullptr) {
    linkage = dwarf_formstring(&attribute);
  }
  if (linkage != nullptr) return demangle(linkage);
  Dwarf_Die declaration;
  if (declaration_of(die, &declaration)) return scoped_name(&declaration);
  const char* name = dwarf_diename(die);
  return name ? name : "?";
}

// Moves the line-table location into the innermost inlined call and puts the
// real function's own line into `symbol`. dwarf_getscopes at an address goes
// from an inlined call to the scopes of its abstract definition, not to the
// code it was inlined into; dwarf_getscopes_die on the innermost inlined call
// gives the concrete chain out to the real function.
void resolve_inlining(Dwfl_Module* module, Dwarf_Addr address, Symbol& symbol) {
  Dwarf_Addr bias = 0;
  Dwarf_Die* cu = dwfl_module_addrdie(module, address, &bias);
  if (cu == nullptr) return;
  Dwarf_Die* at_address = nullptr;
  const int n = dwarf_getscopes(cu, address - bias, &at_address);
  if (n <= 0) return;
  int innermost = 0;
  while (innermost < n && dwarf_tag(&at_address[innermost]) != DW_TAG_inlined_subroutine &&
         dwarf_tag(&at_address[innermost]) != DW_TAG_subprogram) {
    ++innermost;  // lexical blocks
  }
  Dwarf_Die* chain = nullptr;
  const int m = innermost < n && dwarf_tag(&at_address[innermost]) == DW_TAG_inlined_subroutine
                    ? dwarf_getscopes_die(&at_address[innermost], &chain)
                    : 0;
  std::free(at_address);
  if (m <= 0) return;
  std::string file = symbol.file;
  int line = symbol.line;
  for (int i = 0; i < m && dwarf_tag(&chain[i]) != DW_TAG_subprogram; ++i) {
    if (dwarf_tag(&chain[i]) != DW_TAG_inlined_subroutine) continue;  // lexical blocks
    Symbol call;
    call.function = inlined_name(&chain[i]);
    call.file = file;
    call.line = line;
    call.module = symbol.module;
    symbol.inlined.push_back(std::move(call));
    const char* call_file = unit_file(cu, unsigned_attribute(&chain[i], DW_AT_call_file));
    file = call_file ? file_name(call_file) : std::string();
    line = int(unsigned_attribute(&chain[i], DW_AT_call_line));
  }
  std::free(chain);
  symbol.file = file;
  symbol.line = line;
}

}  // namespace

void symbolize_address(std::uintptr_t address, Symbol& symbol) {
  std::lock_guard lock(session_mutex);
  Dwfl_Module* module = module_at(address);
  if (module == nullptr) return;

  const char* main_file = nullptr;
  const char* module_name = dwfl_module_info(module, nullptr, nullptr, nullptr, nullptr, nullptr,
                                             &main_file, nullptr);
  if (main_file != nullptr) symbol.module = file_name(main_file);
  else if (module_name != nullptr) symbol.module = file_name(module_name);

  if (const char* name = dwfl_module_addrname(module, address)) symbol.function = demangle(name);

  Dwfl_Line* line = dwfl_module_getsrc(module, address);
  if (line == nullptr) return;
  Dwarf_Addr bias = 0;
  Dwarf_Line* dwarf_line = dwfl_dwarf_line(line, &bias);
  if (dwarf_line == nullptr) return;
  if (const char* source = dwarf_linesrc(dwarf_line, nullptr, nullptr)) symbol.file = file_name(source);
  int number = 0;
  if (dwarf_lineno(dwarf_line, &number) == 0) symbol.line = number;
  resolve_inlining(module, address, symbol);
}

void forget_symbol_cache() noexcept {
  std::lock_guard lock(session_mutex);
  if (session != nullptr) dwfl_end(session);
  session = nullptr;
}

}  // namespace corosh::detail
