# corosh_plugin_host(TARGET): makes the executable TARGET a host for corosh
# plugins. A plugin links no runtime of its own (corosh::plugin is headers
# only): its references to the runtime, the loop and corosh::spawnable are
# bound, when it is loaded, to the copy linked into the program. So the
# program exports its symbols (ENABLE_EXPORTS: -rdynamic on ELF), and links
# those static libraries whole, so that parts the program itself never calls
# are there for plugins too.
function(corosh_plugin_host target)
  set_target_properties(${target} PROPERTIES ENABLE_EXPORTS ON)
  # One option each (CMake de-duplicates repeated ones); an archive named
  # here and again among the libraries adds nothing the second time.
  foreach(library corosh::runtime corosh::loop corosh::spawnable)
    if(APPLE)
      target_link_options(${target} PRIVATE "LINKER:-force_load,$<TARGET_FILE:${library}>")
    else()
      target_link_options(${target} PRIVATE "LINKER:--whole-archive,$<TARGET_FILE:${library}>,--no-whole-archive")
    endif()
  endforeach()
endfunction()
