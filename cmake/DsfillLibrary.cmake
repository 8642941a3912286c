# dsfill_library(NAME src...): the one shape of every folder's library: a static library
# dsfill_NAME with its dsfill::NAME alias, includes relative to the repository root
# (#include "codec/gzip.h"), and the project's warnings (PRIVATE). Its dependencies are added
# after it with target_link_libraries, as for any target.
function(dsfill_library name)
  add_library(dsfill_${name} STATIC ${ARGN})
  add_library(dsfill::${name} ALIAS dsfill_${name})
  target_include_directories(dsfill_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(dsfill_${name} PRIVATE dsfill::warnings)
endfunction()
